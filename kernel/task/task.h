/*
 * task.h: cooperative tasks as futures, and the executor that runs them (lab 9).
 *
 * A task is a state machine. The executor calls its poll function; poll does as much work as it
 * can without waiting and returns POLL_READY (the task is finished) or POLL_PENDING (it is
 * waiting for something). A pending task is not polled again until someone wakes it through its
 * waker: the interrupt handler that brought the key it waits for, the timer tick that ends its
 * sleep, or the task itself when it only wants to let the others run (a yield). All tasks share
 * one stack, the executor's: a task keeps whatever must survive a pending return in its own
 * state, which the executor frees (kfree) when the task finishes.
 *
 * The round-robin rule, which the grader recomputes: the ready queue is first in, first out.
 * task_spawn() queues the new task at the tail; task_wake() queues a task at the tail unless it
 * is queued already (two wakes before a poll queue it once) or finished (a wake of a finished
 * task, or of an id never given out, does nothing). The executor takes the task at the head,
 * marks it no longer queued, and polls it once; a wake during that poll queues it again at the
 * tail. See handouts/lab9-async.md.
 */
#ifndef TASK_H
#define TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum poll_result { POLL_PENDING = 0, POLL_READY = 1 };

/* Who to wake: a task id. Small enough to copy around and store in an interrupt's reach. */
struct waker {
	uint32_t id;
};

struct task;

/* A task's poll function: state is the task's own memory, w the waker of this very task. */
typedef enum poll_result (*task_poll_fn)(void *state, struct waker w);

#define TASK_SLOTS  16384 /* tasks alive at once; an id is (generation << 16) | slot */
#define TASK_NO_ID  0     /* never a task's id (generations start at 1) */

/* Task flags. */
#define TASK_QUEUED 0x1 /* in the ready queue: a wake now changes nothing */

struct task {
	uint32_t id;         /* (generation << 16) | slot in the task table */
	uint32_t flags;      /* TASK_QUEUED */
	task_poll_fn poll;   /* the state machine's step */
	void *state;         /* its saved locals and state number: kfree'd when it finishes */
	struct waker joiner; /* woken when this task finishes (TASK_NO_ID: nobody) */
	uint64_t polls;      /* times polled */
};

#if CONFIG_ASYNC
/*
 * Given (executor.c). Make a task of poll and state (a kmalloc'd block, or NULL) and queue it
 * at the tail. Returns its id, or TASK_NO_ID if the task table or the heap is full (state is
 * then freed). May be called from a task, never from an interrupt handler.
 */
uint32_t task_spawn(task_poll_fn poll, void *state);

/* Given. The live task with this id, or NULL (finished, or never given out). */
struct task *task_lookup(uint32_t id);

/* Given. Forget a finished task: wake its joiner, free its state and its record. */
void task_free(struct task *t);

/* Given. The ready queue (FIFO of ids; every task is in it at most once, so it never fills).
 * Both are interrupt-safe: they run with interrupts off (irq_save) around the ring. */
void ready_push(uint32_t id);
bool ready_pop(uint32_t *id);
bool ready_empty(void);

/* Given. How many tasks are alive (spawned and not finished). */
extern volatile uint32_t tasks_live;

/* Counters the grader reads from guest memory: polls made, hlt instructions executed. */
extern volatile uint64_t executor_polls, executor_halts;

/*
 * Given. Tests only: called by executor_run() with interrupts off, right after it found the
 * ready queue empty and before it halts. Does nothing unless a test installed a hook.
 */
void executor_idle_hook(void);
extern void (*executor_idle_test_hook)(void);

/*
 * Exercise 1 (executor_core.c). Wake the task w names: queue it at the tail of the ready queue
 * unless it is already queued or no longer alive (then do nothing). Safe from interrupt
 * handlers and from tasks: the check and the push happen with interrupts off.
 */
void task_wake(struct waker w);

/*
 * Exercise 1 (executor_core.c). Run tasks until none is alive, then return (with interrupts
 * enabled). Each round, with interrupts off, look at the ready queue:
 *   - a task id there: take it, enable interrupts, clear its TASK_QUEUED flag, count the poll
 *     (executor_polls and the task's polls), poll it with its own waker; if it returns
 *     POLL_READY, task_free() it. An id that no longer names a live task is skipped.
 *   - queue empty and no task alive: enable interrupts and return.
 *   - queue empty, tasks alive: call executor_idle_hook(), count a halt in executor_halts,
 *     and sleep with irq_wait() (sti; hlt as one step), so that a wake-up from an interrupt
 *     arriving after the check cannot be missed.
 */
void executor_run(void);

/* Given (join.c). A future that is ready once every task of ids[0..n) has finished. */
struct join {
	const uint32_t *ids;
	size_t n;
};
enum poll_result join_poll(struct join *j, struct waker self);
#endif /* CONFIG_ASYNC */

/*
 * Stackless coroutines: macros that write the switch of a hand-made state machine for you.
 * The state struct must start its members with `int co_line;` set to 0 before the first poll.
 *
 *     CO_BEGIN(s);            open the switch on s->co_line
 *     CO_YIELD(s, w);         wake yourself, return pending; resume right after it
 *     CO_AWAIT(s, expr);      return pending while expr (a poll) is POLL_PENDING
 *     CO_END(s);              close the switch: the task is finished (POLL_READY)
 *
 * The rules: a local variable of the poll function does not survive a CO_YIELD or CO_AWAIT
 * (the function returns there; the stack frame is gone), so anything needed after one lives in
 * the state struct. No two CO_ macros on one source line (each uses __LINE__ as its state
 * number), and none inside a switch of your own.
 */
#define CO_BEGIN(s)                                                                          \
	switch ((s)->co_line) {                                                              \
	case 0:

#define CO_YIELD(s, w)                                                                       \
	do {                                                                                 \
		(s)->co_line = __LINE__;                                                     \
		task_wake(w);                                                                \
		return POLL_PENDING;                                                         \
	case __LINE__:;                                                                      \
	} while (0)

#define CO_AWAIT(s, expr)                                                                    \
	do {                                                                                 \
		(s)->co_line = __LINE__;                                                     \
		__attribute__((fallthrough));                                                \
	case __LINE__:                                                                       \
		if ((expr) == POLL_PENDING)                                                  \
			return POLL_PENDING;                                                 \
	} while (0)

#define CO_END(s)                                                                            \
	}                                                                                    \
	(s)->co_line = -1;                                                                   \
	return POLL_READY

#endif /* TASK_H */
