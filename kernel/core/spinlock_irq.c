/*
 * spinlock_irq.c: locks that hardware interrupts cannot break (lab 5, exercise 4).
 *
 * On one CPU, a lock shared with an interrupt handler is only safe if the handler can never run
 * while the lock is held: otherwise the handler spins on a lock whose holder it interrupted, and
 * the machine hangs. So these functions switch interrupts off before taking the lock and switch
 * them back on only after releasing it, and only if they were on to begin with: the caller may
 * already be inside a critical section, or inside a handler, where interrupts must stay off.
 * The flag lives in RFLAGS (bit 9, RFLAGS_IF); read_rflags(), cli() and sti() are in x86.h.
 * See handouts/lab5-interrupts.md, section 9, and spinlock.h for the contracts.
 */
#include "panic.h"
#include "spinlock.h"
#include "x86.h"

uint64_t irq_save(void)
{
	/* LAB 5: your code here */
	panic("lab 5: irq_save not implemented");
}

void irq_restore(uint64_t flags)
{
	/* LAB 5: your code here */
	panic("lab 5: irq_restore not implemented");
}

uint64_t spin_lock_irqsave(struct spinlock *l)
{
	/* LAB 5: your code here */
	panic("lab 5: spin_lock_irqsave not implemented");
}

void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	/* LAB 5: your code here */
	panic("lab 5: spin_unlock_irqrestore not implemented");
}
