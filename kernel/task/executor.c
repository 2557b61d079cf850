/*
 * executor.c: the given half of the executor (lab 9): the task table, spawning and freeing, and
 * the ready queue. Your half, waking and the run loop, is in executor_core.c.
 *
 * Tasks live in a table of TASK_SLOTS pointers. A task's id is its slot plus a generation
 * number in the high 16 bits, bumped every time the slot is reused, so an old id (a waker kept
 * after its task finished) never names the slot's next task: task_lookup() compares the whole
 * id. The ready queue is a ring of ids; since a task is queued at most once, TASK_SLOTS entries
 * always suffice. The ring is touched by tasks and by interrupt handlers (through wakes), so
 * both ends run with interrupts off.
 */
#include "kmalloc.h"
#include "kprintf.h"
#include "panic.h"
#include "spinlock.h"
#include "task.h"

static struct task *table[TASK_SLOTS];
static uint16_t generation[TASK_SLOTS];
static uint32_t next_slot; /* where the search for a free slot starts */
static uint32_t ring[TASK_SLOTS];
static uint32_t ring_head, ring_tail; /* free-running: ring_head - ring_tail ids are queued */

volatile uint32_t tasks_live;
volatile uint64_t executor_polls, executor_halts;
void (*executor_idle_test_hook)(void);

void ready_push(uint32_t id)
{
	uint64_t flags = irq_save();

	if (ring_head - ring_tail >= TASK_SLOTS)
		panic("ready_push: queue full (a task queued twice?)");
	ring[ring_head % TASK_SLOTS] = id;
	ring_head++;
	irq_restore(flags);
}

bool ready_pop(uint32_t *id)
{
	uint64_t flags = irq_save();
	bool got = ring_head != ring_tail;

	if (got) {
		*id = ring[ring_tail % TASK_SLOTS];
		ring_tail++;
	}
	irq_restore(flags);
	return got;
}

bool ready_empty(void)
{
	return ring_head == ring_tail;
}

struct task *task_lookup(uint32_t id)
{
	uint32_t slot = id & 0xffff;
	struct task *t;

	if (slot >= TASK_SLOTS)
		return NULL;
	t = table[slot];
	return t && t->id == id ? t : NULL;
}

uint32_t task_spawn(task_poll_fn poll, void *state)
{
	struct task *t = kmalloc(sizeof(*t));
	uint32_t slot = next_slot;

	if (!t)
		goto out_free_state;
	for (uint32_t i = 0; i < TASK_SLOTS; i++, slot = (slot + 1) % TASK_SLOTS) {
		if (table[slot])
			continue;
		if (++generation[slot] == 0)
			generation[slot] = 1; /* generation 0 would let id 0 be a task */
		t->id = (uint32_t)generation[slot] << 16 | slot;
		t->flags = TASK_QUEUED;
		t->poll = poll;
		t->state = state;
		t->joiner.id = TASK_NO_ID;
		t->polls = 0;
		table[slot] = t;
		next_slot = (slot + 1) % TASK_SLOTS;
		tasks_live++;
		ready_push(t->id);
		return t->id;
	}
	kfree(t);
out_free_state:
	kfree(state);
	return TASK_NO_ID;
}

void task_free(struct task *t)
{
	struct waker joiner = t->joiner;
	uint32_t slot = t->id & 0xffff;

	if (table[slot] != t)
		panic("task_free: task %#x is not in the table", t->id);
	table[slot] = NULL;
	tasks_live--;
	kfree(t->state);
	kfree(t);
	if (joiner.id != TASK_NO_ID)
		task_wake(joiner);
}

void executor_idle_hook(void)
{
	if (executor_idle_test_hook)
		executor_idle_test_hook();
}
