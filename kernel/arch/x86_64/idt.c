/*
 * idt.c: the interrupt descriptor table and its loading (lab 3).
 *
 * The table is a plain array of 256 gates in .bss, so every gate starts out zero, which the CPU
 * reads as "not present". idt_init() points the 32 exception vectors at their entry stubs
 * (trap_entry.S) through idt_set_gate(), your code in idt_gate.c, and hands the table's address
 * and size to the CPU with lidt. From then on an exception runs our handler instead of escalating
 * to a double and then a triple fault, which resets the machine. Vectors 32..255 stay empty until
 * the labs on hardware interrupts fill some of them; using an empty gate raises #GP with an error
 * code that names the gate (IDT bit set), which trap.c then reports.
 */
#include "idt.h"
#include "trap.h"
#include "x86.h"

struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));

_Static_assert(sizeof(idt) == 4096, "256 gates of 16 bytes");

void idt_init(void)
{
	struct descriptor_ptr idtr;

	/*
	 * Interrupt gates, not trap gates: the CPU clears RFLAGS.IF on the way in, so no hardware
	 * interrupt can arrive while a handler runs (none is enabled yet, but later labs add them).
	 * DPL 0: user code may not raise these vectors itself with `int n`.
	 */
	for (int v = 0; v < TRAP_EXCEPTIONS; v++)
		idt_set_gate((uint8_t)v, trap_vectors[v], 0, GATE_INTERRUPT);

	idtr.limit = sizeof(idt) - 1; /* the limit is the offset of the last valid byte */
	idtr.base = (uint64_t)idt;
	lidt(&idtr); /* the CPU copies base and limit: idtr may live on the stack */
}
