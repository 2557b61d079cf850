/*
 * irq.c: routing hardware interrupts to their drivers (lab 5).
 *
 * irq_init() remaps the PICs (your pic_remap()) so that IRQ n raises vector IRQ_BASE + n, and
 * fills those sixteen IDT gates with the stubs of irq_entry.S. The gates are interrupt gates, so
 * the CPU clears IF on the way in and a handler is never interrupted by another IRQ. A driver
 * claims its line with irq_set_handler(), which also unmasks it. Every IRQ then takes the path
 *
 *   device -> PIC -> CPU -> IDT gate -> irq_entry_n -> trap_common -> trap_dispatch()
 *          -> irq_dispatch() -> the driver's handler -> EOI -> iretq
 *
 * The EOI comes after the handler: until then the PIC holds back every request of the same or
 * lower priority, which the handler does not mind because interrupts are off anyway.
 */
#include "console.h"
#include "idt.h"
#include "irq.h"
#include "kprintf.h"
#include "pic.h"
#include "trap.h"
#include "x86.h"

volatile uint64_t irq_count[IRQ_LINES];
volatile uint64_t irq_spurious[IRQ_LINES];
static irq_handler_t handlers[IRQ_LINES];

_Static_assert(IRQ_BASE % 8 == 0, "ICW2 takes a multiple of 8");
_Static_assert(IRQ_BASE >= TRAP_EXCEPTIONS, "vectors 0..31 are the CPU's exceptions");

void irq_init(void)
{
	pic_remap(IRQ_BASE, IRQ_BASE + 8); /* every line masked afterwards */
	pic_unmask(IRQ_CASCADE);           /* so that unmasked slave lines get through */
	for (int irq = 0; irq < IRQ_LINES; irq++)
		idt_set_gate((uint8_t)(IRQ_BASE + irq), irq_vectors[irq], 0, GATE_INTERRUPT);
}

void irq_set_handler(int irq, irq_handler_t handler)
{
	handlers[irq] = handler;
	if (handler)
		pic_unmask(irq);
	else if (irq != IRQ_CASCADE)
		pic_mask(irq);
}

void irq_enable(void)
{
	console_irq_safe(); /* the console lock must mask interrupts from now on */
	sti();
}

bool irq_dispatch(struct trap_frame *tf)
{
	int irq;

	if (tf->vector < IRQ_BASE || tf->vector >= IRQ_BASE + IRQ_LINES)
		return false;
	irq = (int)(tf->vector - IRQ_BASE);
	if (pic_is_spurious(irq)) {
		irq_spurious[irq]++; /* no handler, and the EOI (if any) is already sent */
		return true;
	}
	irq_count[irq]++;
	if (handlers[irq])
		handlers[irq](tf);
	pic_send_eoi(irq);
	return true;
}
