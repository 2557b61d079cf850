/*
 * spinlock_irq.c: locks that hardware interrupts cannot break (lab 5 reference solution).
 *
 * irq_save() reads RFLAGS before cli, so the caller gets back exactly the state it had; the
 * restore only ever enables interrupts, never disables them, because the caller's own code
 * (between save and restore) already runs with them off. The order inside the lock functions
 * matters: interrupts go off before the lock is taken (a handler arriving in between would find
 * it held), and come back on only after it is released.
 */
#include "panic.h"
#include "spinlock.h"
#include "x86.h"

uint64_t irq_save(void)
{
	uint64_t flags = read_rflags();

	cli();
	return flags;
}

void irq_restore(uint64_t flags)
{
	if (flags & RFLAGS_IF)
		sti();
}

uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = irq_save();

	spin_lock(l);
	return flags;
}

void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	spin_unlock(l);
	irq_restore(flags);
}
