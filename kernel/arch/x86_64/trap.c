/*
 * trap.c: the C side of exception handling (lab 3).
 *
 * trap_common (trap_common.S) calls trap_dispatch() with a pointer to the saved state of the
 * interrupted code, a struct trap_frame (trap.h). The dispatcher first checks that the frame is
 * plausible, because a mistake in the assembly would otherwise show up as nonsense much later.
 * A breakpoint goes to breakpoint_handle() and execution resumes after the int3. Every other
 * exception is fatal for now: the dispatcher prints one line that names the exception and
 * decodes its error code, for example
 *
 *   EXCEPTION: #PF page fault (vector 14) error 0x2 [not-present write kernel]
 *              rip 0xffffffff8010abcd rsp 0xffffffff80123f58 cr2 0x0000123456789000
 *
 * (one line on the console; split here to fit), then every saved register, then panics. The
 * grader parses that line, so its format is fixed: see handouts/lab3-exceptions.md, section 9.
 */
#include <stdbool.h>

#include "console.h"
#include "gdt.h"
#include "idt.h"
#include "irq.h"
#include "kprintf.h"
#include "panic.h"
#include "trap.h"
#include "x86.h"

struct trap_frame trap_last;
uint64_t trap_count;

/* The exceptions (SDM Vol. 3A §6.3.1, Table 6-1; AMD APM Vol. 2 §8.2 for 28..30). */
static const struct {
	const char *mnemonic;
	const char *name;
	bool has_error; /* the CPU pushes an error code */
	bool selector;  /* and that error code is a selector error code (§6.13) */
} vectors[TRAP_EXCEPTIONS] = {
	[0] = { "#DE", "divide error", false, false },
	[1] = { "#DB", "debug", false, false },
	[2] = { "NMI", "non-maskable interrupt", false, false },
	[3] = { "#BP", "breakpoint", false, false },
	[4] = { "#OF", "overflow", false, false },
	[5] = { "#BR", "bound range exceeded", false, false },
	[6] = { "#UD", "invalid opcode", false, false },
	[7] = { "#NM", "device not available", false, false },
	[8] = { "#DF", "double fault", true, false },
	[9] = { "-", "coprocessor segment overrun", false, false },
	[10] = { "#TS", "invalid TSS", true, true },
	[11] = { "#NP", "segment not present", true, true },
	[12] = { "#SS", "stack-segment fault", true, true },
	[13] = { "#GP", "general protection", true, true },
	[14] = { "#PF", "page fault", true, false },
	[15] = { "-", "reserved", false, false },
	[16] = { "#MF", "x87 floating-point error", false, false },
	[17] = { "#AC", "alignment check", true, false },
	[18] = { "#MC", "machine check", false, false },
	[19] = { "#XM", "SIMD floating-point exception", false, false },
	[20] = { "#VE", "virtualization exception", false, false },
	[21] = { "#CP", "control protection", true, false },
	[22] = { "-", "reserved", false, false },
	[23] = { "-", "reserved", false, false },
	[24] = { "-", "reserved", false, false },
	[25] = { "-", "reserved", false, false },
	[26] = { "-", "reserved", false, false },
	[27] = { "-", "reserved", false, false },
	[28] = { "#HV", "hypervisor injection", false, false },
	[29] = { "#VC", "VMM communication", true, false },
	[30] = { "#SX", "security exception", true, false },
	[31] = { "-", "reserved", false, false },
};

const char *trap_mnemonic(uint64_t vector)
{
	return vector < TRAP_EXCEPTIONS ? vectors[vector].mnemonic : "-";
}

const char *trap_name(uint64_t vector)
{
	return vector < TRAP_EXCEPTIONS ? vectors[vector].name : "interrupt";
}

/* " [not-present write kernel]": what a page-fault error code says about the access. */
static void decode_page_fault(char *buf, size_t size, uint64_t error)
{
	const char *access = error & PF_I ? "fetch" : error & PF_W ? "write" : "read";

	ksnprintf(buf, size, " [%s %s %s%s]", error & PF_P ? "protection" : "not-present", access,
		  error & PF_U ? "user" : "kernel", error & PF_RSVD ? " reserved-bit" : "");
}

/* " [GDT index 5]", " [external IDT index 32]": which descriptor a selector error names. */
static void decode_selector(char *buf, size_t size, uint64_t error)
{
	const char *table = error & SELERR_IDT ? "IDT" : error & SELERR_TI ? "LDT" : "GDT";

	ksnprintf(buf, size, " [%s%s index %lu]", error & SELERR_EXT ? "external " : "", table,
		  (unsigned long)((error & 0xffff) >> 3));
}

static void dump_registers(const struct trap_frame *tf, uint64_t cr2)
{
	kprintf("registers:\n");
	kprintf("  rax 0x%016lx  rbx 0x%016lx  rcx 0x%016lx\n", tf->rax, tf->rbx, tf->rcx);
	kprintf("  rdx 0x%016lx  rsi 0x%016lx  rdi 0x%016lx\n", tf->rdx, tf->rsi, tf->rdi);
	kprintf("  rbp 0x%016lx  r8  0x%016lx  r9  0x%016lx\n", tf->rbp, tf->r8, tf->r9);
	kprintf("  r10 0x%016lx  r11 0x%016lx  r12 0x%016lx\n", tf->r10, tf->r11, tf->r12);
	kprintf("  r13 0x%016lx  r14 0x%016lx  r15 0x%016lx\n", tf->r13, tf->r14, tf->r15);
	kprintf("  rip 0x%016lx  rsp 0x%016lx  rflags 0x%016lx\n", tf->rip, tf->rsp, tf->rflags);
	kprintf("  cs  0x%016lx  ss  0x%016lx\n", tf->cs, tf->ss);
	kprintf("  cr0 0x%016lx  cr2 0x%016lx  cr3 0x%016lx  cr4 0x%016lx\n",
		(unsigned long)read_cr0(), (unsigned long)cr2, (unsigned long)read_cr3(),
		(unsigned long)read_cr4());
}

/* Print the EXCEPTION line and the register dump for an exception nobody handles. */
static void trap_report(const struct trap_frame *tf, uint64_t cr2)
{
	uint64_t v = tf->vector;
	bool has_error = v < TRAP_EXCEPTIONS && vectors[v].has_error;
	char error[24] = "none";
	char detail[48] = "";
	char fault_address[32] = "";

	if (has_error)
		ksnprintf(error, sizeof(error), "0x%lx", (unsigned long)tf->error);
	if (v == TRAP_PF) {
		decode_page_fault(detail, sizeof(detail), tf->error);
		ksnprintf(fault_address, sizeof(fault_address), " cr2 0x%016lx",
			  (unsigned long)cr2);
	} else if (has_error && vectors[v].selector && tf->error != 0) {
		decode_selector(detail, sizeof(detail), tf->error);
	}
	kprintf("EXCEPTION: %s %s (vector %lu) error %s%s rip 0x%016lx rsp 0x%016lx%s\n",
		trap_mnemonic(v), trap_name(v), (unsigned long)v, error, detail,
		(unsigned long)tf->rip, (unsigned long)tf->rsp, fault_address);
	dump_registers(tf, cr2);
}

/*
 * Mistakes in trap_common show up here first, so check what can be checked: the stack alignment
 * the ABI promises, and two frame fields whose values are known.
 */
static void check_frame(const struct trap_frame *tf)
{
	/* With frame pointers RBP = (RSP at the call) - 16 here, so both are multiples of 16. */
	uint64_t fp = (uint64_t)__builtin_frame_address(0);

	if (fp % 16 != 0)
		panic("trap_dispatch: called with RSP 0x%lx, not a multiple of 16 (the ABI requires it "
		      "at every call)",
		      (unsigned long)(fp + 16));
	if (tf->vector >= IDT_ENTRIES || (tf->cs & 0xffff) != KERNEL_CS)
		panic("trap_dispatch: the frame at %p looks wrong (vector %lu, cs 0x%lx): does "
		      "trap_common save the registers at trap.h's offsets and pass RSP in RDI?",
		      (const void *)tf, (unsigned long)tf->vector, (unsigned long)tf->cs);
}

void trap_dispatch(struct trap_frame *tf)
{
	static bool reporting;
	uint64_t cr2 = read_cr2(); /* first, before anything else can fault and overwrite it */
	const uint64_t *from = (const uint64_t *)tf;
	uint64_t *to = (uint64_t *)&trap_last;

	check_frame(tf);
	trap_count++;
	for (size_t i = 0; i < sizeof(*tf) / sizeof(uint64_t); i++)
		to[i] = from[i];

	if (tf->vector == TRAP_BP) {
		breakpoint_handle(tf);
		return;
	}
	if (tf->vector >= TRAP_EXCEPTIONS && irq_dispatch(tf))
		return; /* a hardware interrupt (lab 5) */
	if (tf->vector == TRAP_DF)
		double_fault_note(tf); /* which stack are we on? (lab 4) */

	if (reporting)
		panic("%s %s at rip 0x%016lx while reporting another exception",
		      trap_mnemonic(tf->vector), trap_name(tf->vector), (unsigned long)tf->rip);
	reporting = true;
	console_panic(); /* serial only, no lock: the fault may have struck inside the console */
	trap_report(tf, cr2);
	panic("unhandled exception %s %s (vector %lu) at rip 0x%016lx", trap_mnemonic(tf->vector),
	      trap_name(tf->vector), (unsigned long)tf->vector, (unsigned long)tf->rip);
}

void trap_common_not_implemented(const uint64_t *sp)
{
	/* sp points at the stub's pushes: sp[0] the vector, sp[1] the error code, sp[2] RIP. */
	panic("lab 3: trap_common not implemented (%s %s at rip 0x%016lx)", trap_mnemonic(sp[0]),
	      trap_name(sp[0]), (unsigned long)sp[2]);
}
