/*
 * join.c: a future that waits for several tasks to finish (lab 9, given).
 *
 * join_poll() walks the ids; the first task still alive gets the joining task as its joiner
 * (task_free() wakes it), and the join stays pending. Once no id names a live task the join is
 * ready. Each task has one joiner slot, so two joins of the same task are not supported.
 */
#include "task.h"

enum poll_result join_poll(struct join *j, struct waker self)
{
	for (size_t i = 0; i < j->n; i++) {
		struct task *t = task_lookup(j->ids[i]);

		if (t) {
			t->joiner = self;
			return POLL_PENDING;
		}
	}
	return POLL_READY;
}
