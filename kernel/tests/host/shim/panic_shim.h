/*
 * The test harness's side of the host panic_at() (panic_shim.c). A harness that wants to survive
 * a panic points shim_panic_recover at a jmp_buf it has set up; panic_at() then stores the
 * message in shim_panic_message and longjmps there. With shim_panic_recover NULL, it aborts.
 */
#ifndef HOST_PANIC_SHIM_H
#define HOST_PANIC_SHIM_H

#include <setjmp.h>

extern jmp_buf *shim_panic_recover;
extern char shim_panic_message[512];

#endif /* HOST_PANIC_SHIM_H */
