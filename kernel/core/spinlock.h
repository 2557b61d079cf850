/*
 * spinlock.h: the simplest lock. A CPU that finds the lock taken spins (retries) until the holder
 * releases it. The atomic exchange makes "test and take" one indivisible step; the acquire and
 * release orderings keep the protected accesses between the two calls.
 */
#ifndef SPINLOCK_H
#define SPINLOCK_H

#include <stdint.h>

#include "x86.h"

struct spinlock {
	volatile int locked;
	const char *name; /* for debugging: which lock is this */
};

#define SPINLOCK_INIT(n) { 0, n }

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/*
 * Interrupt-safe locking (lab 5). Once interrupts are enabled, a handler may run between any two
 * instructions of the code it interrupts. If that code holds a lock the handler also wants, the
 * handler spins forever: the holder cannot run again until the handler returns. The cure is to
 * keep interrupts disabled on this CPU while holding such a lock, and, because critical sections
 * nest, to restore the interrupt flag as it was rather than blindly enabling it again.
 * See handouts/lab5-interrupts.md, section 9.
 */
#define RFLAGS_IF 0x200 /* RFLAGS bit 9: maskable interrupts enabled (SDM Vol. 1 §3.4.3) */

#if CONFIG_PIC
/*
 * Exercise 4 (spinlock_irq.c). irq_save() disables interrupts and returns what they were before
 * (the caller's RFLAGS, or at least its IF bit); irq_restore(flags) puts IF back to the state
 * recorded in flags: enables interrupts if flags has RFLAGS_IF, and otherwise changes nothing
 * (it never disables them; inside the save they are off already).
 */
uint64_t irq_save(void);
void irq_restore(uint64_t flags);

/*
 * Exercise 4 (spinlock_irq.c). spin_lock_irqsave() disables interrupts, then takes l, and returns
 * the flags to hand back; spin_unlock_irqrestore() releases l, then restores those flags. At no
 * instruction in between may l be held with interrupts enabled (the grader single-steps both).
 * Pairs nest: the innermost restore leaves interrupts disabled if they were disabled at its save.
 */
uint64_t spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags);
#else
/* Before lab 5 nothing ever enables interrupts, so the plain lock is enough. */
static inline uint64_t irq_save(void)
{
	return 0;
}
static inline void irq_restore(uint64_t flags)
{
}
static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	spin_lock(l);
	return 0;
}
static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	spin_unlock(l);
}
#endif /* CONFIG_PIC */

#endif /* SPINLOCK_H */
