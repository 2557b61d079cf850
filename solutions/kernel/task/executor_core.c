/*
 * executor_core.c: waking tasks and the executor's run loop (lab 9 reference solution).
 *
 * The run loop looks at the ready queue with interrupts off. Finding it empty and going to
 * sleep must be one step as far as interrupts are concerned: irq_wait() is `sti; hlt`, and sti
 * enables interrupts only after the next instruction, so an interrupt pending since the check
 * is taken once the CPU is halted, and wakes it. Enabling interrupts any earlier would let the
 * interrupt run (and queue its task) before the hlt, which would then sleep with work waiting.
 */
#include "irq.h"
#include "spinlock.h"
#include "task.h"
#include "x86.h"

void task_wake(struct waker w)
{
	uint64_t flags = irq_save();
	struct task *t = task_lookup(w.id);

	if (t && !(t->flags & TASK_QUEUED)) {
		t->flags |= TASK_QUEUED;
		ready_push(t->id);
	}
	irq_restore(flags);
}

void executor_run(void)
{
	for (;;) {
		uint32_t id;
		struct task *t;

		cli();
		if (!ready_pop(&id)) {
			if (tasks_live == 0) {
				sti();
				return;
			}
			executor_idle_hook();
			executor_halts++;
			irq_wait(); /* sti; hlt: an interrupt since the check still wakes us */
			continue;
		}
		sti();
		t = task_lookup(id);
		if (!t)
			continue;
		t->flags &= ~TASK_QUEUED;
		t->polls++;
		executor_polls++;
		if (t->poll(t->state, (struct waker){ t->id }) == POLL_READY)
			task_free(t);
	}
}
