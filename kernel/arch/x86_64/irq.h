/*
 * irq.h: hardware interrupts (lab 5).
 *
 * A device asks for attention by raising one of the sixteen interrupt request lines (IRQs) of
 * the two 8259 PICs (drivers/pic.h). The PICs turn IRQ n into interrupt vector IRQ_BASE + n, the
 * CPU runs the IDT gate of that vector, and the entry stub in irq_entry.S builds the same trap
 * frame as an exception's before trap_dispatch() hands it to irq_dispatch() here. irq_dispatch()
 * drops spurious interrupts, calls the handler a driver registered with irq_set_handler(), and
 * sends the end of interrupt (EOI) that lets the PIC deliver the next one. See
 * handouts/lab5-interrupts.md.
 *
 * When the chapter is off every function here is an empty stub (irq_wait() just halts: nothing
 * enables interrupts before lab 5), so kmain and trap_dispatch() carry no #if.
 */
#ifndef IRQ_H
#define IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "x86.h"

#define IRQ_BASE     32 /* vector of IRQ 0: vectors 0..31 belong to CPU exceptions */
#define IRQ_LINES    16 /* IRQs 0..7 on the master PIC, 8..15 on the slave */
#define IRQ_TIMER    0  /* PIT channel 0 */
#define IRQ_KEYBOARD 1  /* PS/2 keyboard (the 8042 controller's first port) */
#define IRQ_CASCADE  2  /* the slave PIC's output, wired to the master's input 2 */
#define IRQ_RTC      8  /* CMOS real-time clock */

struct trap_frame;

/* What a driver registers for its line; runs with interrupts disabled, before the EOI. */
typedef void (*irq_handler_t)(struct trap_frame *tf);

#if CONFIG_PIC
/*
 * Remap the PICs to vectors IRQ_BASE..IRQ_BASE+15 with every line masked except the cascade,
 * and point those sixteen IDT gates at the entry stubs of irq_entry.S. Interrupts stay off.
 */
void irq_init(void);

/* Make handler the one that runs for IRQ line irq (NULL: none) and unmask (or mask) the line. */
void irq_set_handler(int irq, irq_handler_t handler);

/*
 * Switch the console lock to its interrupt-safe form, then enable interrupts (sti). From here
 * on any IRQ that is unmasked may run between two instructions of the caller.
 */
void irq_enable(void);

/*
 * Called by trap_dispatch() for every vector from 32 up. Returns false if the vector is not one
 * of the sixteen IRQs. Otherwise: a spurious IRQ 7 or 15 is counted and dropped (with the EOI
 * the master still needs for 15); a real one is counted, its handler runs, and the EOI is sent.
 */
bool irq_dispatch(struct trap_frame *tf);

/* Interrupts delivered per line since boot, and spurious ones dropped (index 7 or 15). */
extern volatile uint64_t irq_count[IRQ_LINES];
extern volatile uint64_t irq_spurious[IRQ_LINES];

/* The sixteen entry stubs of irq_entry.S, for irq_init(). */
extern void (*const irq_vectors[IRQ_LINES])(void);

/*
 * Enable interrupts and halt until the next one, as one step: sti takes effect only after the
 * instruction that follows it, so no interrupt can slip in between the two and be missed by a
 * caller that checked for work with interrupts off. Returns with interrupts enabled.
 */
static inline void irq_wait(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}
#else
static inline void irq_init(void)
{
}
static inline void irq_enable(void)
{
}
static inline bool irq_dispatch(struct trap_frame *tf)
{
	return false;
}
static inline void irq_wait(void)
{
	hlt(); /* interrupts are never enabled before lab 5: this stops the CPU for good */
}
#endif /* CONFIG_PIC */

#endif /* IRQ_H */
