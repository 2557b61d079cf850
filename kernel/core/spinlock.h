/*
 * spinlock.h: the simplest lock. A CPU that finds the lock taken spins (retries) until the holder
 * releases it. The atomic exchange makes "test and take" one indivisible step; the acquire and
 * release orderings keep the protected accesses between the two calls.
 */
#ifndef SPINLOCK_H
#define SPINLOCK_H

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

#endif /* SPINLOCK_H */
