/*
 * trap.h: what an exception looks like to the kernel once it has been caught (lab 3).
 *
 * Every exception reaches C the same way. The CPU pushes the interrupted RIP, CS, RFLAGS, RSP
 * and SS (and, for some vectors, an error code); the vector's entry stub in trap_entry.S pushes
 * a zero in place of a missing error code and then the vector number; trap_common (your code,
 * trap_common.S) saves the fifteen general registers below that and calls trap_dispatch() with
 * a pointer to the whole record, a struct trap_frame. When trap_dispatch() returns, trap_common
 * restores the registers from the frame and leaves with iretq. The TF_* offsets below are the
 * one description of that record: the assembly uses them, and the _Static_asserts check the C
 * struct against them, so the two cannot drift apart.
 *
 * Address (growing upwards)         pushed by
 *   frame + TF_SS      ss            CPU
 *   frame + TF_RSP     rsp           CPU   (the interrupted stack pointer)
 *   frame + TF_RFLAGS  rflags        CPU
 *   frame + TF_CS      cs            CPU
 *   frame + TF_RIP     rip           CPU   (the faulting or next instruction)
 *   frame + TF_ERROR   error code    CPU, or the stub's 0
 *   frame + TF_VECTOR  vector        the stub
 *   frame + TF_RAX     rax           trap_common
 *     ...              ...           trap_common
 *   frame + TF_R15     r15           trap_common   <- RSP when trap_common calls trap_dispatch
 */
#ifndef TRAP_H
#define TRAP_H

/* Byte offsets in the trap frame, shared with the assembly. */
#define TF_R15    0
#define TF_R14    8
#define TF_R13    16
#define TF_R12    24
#define TF_R11    32
#define TF_R10    40
#define TF_R9     48
#define TF_R8     56
#define TF_RBP    64
#define TF_RDI    72
#define TF_RSI    80
#define TF_RDX    88
#define TF_RCX    96
#define TF_RBX    104
#define TF_RAX    112
#define TF_VECTOR 120
#define TF_ERROR  128
#define TF_RIP    136
#define TF_CS     144
#define TF_RFLAGS 152
#define TF_RSP    160
#define TF_SS     168
#define TF_SIZE   176 /* a multiple of 16: see handouts/lab3-exceptions.md, section 7.3 */

/* The exception vectors (SDM Vol. 3A §6.3.1, Table 6-1) the kernel treats specially. */
#define TRAP_EXCEPTIONS 32 /* vectors 0..31 are reserved for exceptions */
#define TRAP_DE         0  /* #DE divide error */
#define TRAP_BP         3  /* #BP breakpoint (int3) */
#define TRAP_UD         6  /* #UD invalid opcode */
#define TRAP_DF         8  /* #DF double fault */
#define TRAP_GP         13 /* #GP general protection */
#define TRAP_PF         14 /* #PF page fault */

/* Page-fault error code bits (SDM Vol. 3A §4.7, Figure 4-12). */
#define PF_P    0x01 /* 0: the page was not present; 1: a protection check failed */
#define PF_W    0x02 /* the access was a write */
#define PF_U    0x04 /* the access came from user mode (CPL 3) */
#define PF_RSVD 0x08 /* a reserved bit was set in a paging-structure entry */
#define PF_I    0x10 /* the access was an instruction fetch */

/* Selector error code bits (SDM Vol. 3A §6.13, Figure 6-6); the index is bits 3..15. */
#define SELERR_EXT 0x1 /* the fault happened while delivering an external event */
#define SELERR_IDT 0x2 /* the index refers to an IDT gate */
#define SELERR_TI  0x4 /* with IDT clear: 0 = GDT, 1 = LDT */

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

struct trap_frame {
	/* saved by trap_common */
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	/* pushed by the entry stub */
	uint64_t vector;
	uint64_t error; /* the CPU's error code, or 0 for vectors that have none */
	/* pushed by the CPU (SDM Vol. 3A §6.14.2, Figure 6-9) */
	uint64_t rip;
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
};

_Static_assert(offsetof(struct trap_frame, r15) == TF_R15, "trap frame: r15");
_Static_assert(offsetof(struct trap_frame, r14) == TF_R14, "trap frame: r14");
_Static_assert(offsetof(struct trap_frame, r13) == TF_R13, "trap frame: r13");
_Static_assert(offsetof(struct trap_frame, r12) == TF_R12, "trap frame: r12");
_Static_assert(offsetof(struct trap_frame, r11) == TF_R11, "trap frame: r11");
_Static_assert(offsetof(struct trap_frame, r10) == TF_R10, "trap frame: r10");
_Static_assert(offsetof(struct trap_frame, r9) == TF_R9, "trap frame: r9");
_Static_assert(offsetof(struct trap_frame, r8) == TF_R8, "trap frame: r8");
_Static_assert(offsetof(struct trap_frame, rbp) == TF_RBP, "trap frame: rbp");
_Static_assert(offsetof(struct trap_frame, rdi) == TF_RDI, "trap frame: rdi");
_Static_assert(offsetof(struct trap_frame, rsi) == TF_RSI, "trap frame: rsi");
_Static_assert(offsetof(struct trap_frame, rdx) == TF_RDX, "trap frame: rdx");
_Static_assert(offsetof(struct trap_frame, rcx) == TF_RCX, "trap frame: rcx");
_Static_assert(offsetof(struct trap_frame, rbx) == TF_RBX, "trap frame: rbx");
_Static_assert(offsetof(struct trap_frame, rax) == TF_RAX, "trap frame: rax");
_Static_assert(offsetof(struct trap_frame, vector) == TF_VECTOR, "trap frame: vector");
_Static_assert(offsetof(struct trap_frame, error) == TF_ERROR, "trap frame: error");
_Static_assert(offsetof(struct trap_frame, rip) == TF_RIP, "trap frame: rip");
_Static_assert(offsetof(struct trap_frame, cs) == TF_CS, "trap frame: cs");
_Static_assert(offsetof(struct trap_frame, rflags) == TF_RFLAGS, "trap frame: rflags");
_Static_assert(offsetof(struct trap_frame, rsp) == TF_RSP, "trap frame: rsp");
_Static_assert(offsetof(struct trap_frame, ss) == TF_SS, "trap frame: ss");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap frame: size");
_Static_assert(TF_SIZE % 16 == 0, "the trap frame keeps RSP 16-byte aligned for the C call");

/* The entry stubs of trap_entry.S, one per exception vector, for idt_init(). */
extern void (*const trap_vectors[TRAP_EXCEPTIONS])(void);

/*
 * Called by trap_common with RSP 16-byte aligned and tf pointing at the frame it built. Handles
 * the exception (for now: #BP through breakpoint_handle()) and returns, so that trap_common can
 * resume the interrupted code, or reports it and panics when no handler exists.
 */
void trap_dispatch(struct trap_frame *tf);

/* "#PF" and "page fault" for vector 14; "-" and "reserved" for unused vectors. */
const char *trap_mnemonic(uint64_t vector);
const char *trap_name(uint64_t vector);

/* A copy of the frame of the most recent exception, for tests and for GDB (`p trap_last`). */
extern struct trap_frame trap_last;

/* How often trap_dispatch() has been entered since boot. */
extern uint64_t trap_count;

/*
 * Exercise 3 (breakpoint.c). Handle #BP: print "trap: breakpoint at rip 0x<16 hex digits>" (the
 * saved RIP, which points just after the int3), count it in breakpoint_count, remember the RIP in
 * breakpoint_last_rip, and return so that execution continues after the int3.
 */
void breakpoint_handle(struct trap_frame *tf);
extern uint64_t breakpoint_count;    /* breakpoints handled since boot */
extern uint64_t breakpoint_last_rip; /* the saved RIP of the latest one */

/* Called by the stub of trap_common: panics with "lab 3: trap_common not implemented". */
__attribute__((noreturn)) void trap_common_not_implemented(const uint64_t *sp);
#endif /* __ASSEMBLY__ */

#endif /* TRAP_H */
