/*
 * config.h for kernel allocator code compiled on the host (kernel/tests/host/alloc/). The
 * kernel's build generates its config.h from LAB; here the allocator's chapters are simply on.
 * alloc.mk forces this file into every allocator source (gcc -include), before any kernel
 * header, so the host layout.h below is the one layout.h every file sees: it claims the kernel
 * layout.h's include guard, and the kernel's own file, when heap.h includes it, is empty. (An
 * -iquote order cannot do this: heap.h's "layout.h" is looked up in heap.h's own directory
 * first.) HEAP_FAST comes from the command line: 1 in the benchmark build only.
 */
#ifndef HOST_ALLOC_CONFIG_H
#define HOST_ALLOC_CONFIG_H

#define CONFIG_LAB        8
#define CONFIG_LAB_NAME   "allocators"
#define CONFIG_PAGING     1
#define CONFIG_HEAP       1
#define CONFIG_ALLOCATORS 1
#define CONFIG_ASYNC      0

#include "layout.h" /* the host's, next to this file */

#endif /* HOST_ALLOC_CONFIG_H */
