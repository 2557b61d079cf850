/*
 * front.c: the host's locked front end (front.h). The same steps as the kernel's kmalloc.c and
 * kmalloc_api.c, with pthread_mutex_lock() in place of spin_lock_irqsave(): check the request,
 * take the lock, call the design, count, release. krealloc's cases are kmalloc.h's: shrink in
 * place, otherwise allocate, copy the old usable bytes, free. The mutex is statically
 * initialised, so the front end works before main() (the LD_PRELOAD shim needs that).
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "front.h"

const struct host_design host_designs[] = {
	{ "bump", &heap_bump },   { "list", &heap_firstfit }, { "fixed", &heap_fixed },
	{ "buddy", &heap_buddy }, { "slab", &heap_slab },
};
const unsigned host_ndesigns = sizeof(host_designs) / sizeof(host_designs[0]);

const struct heap_ops *front_ops;
size_t front_blocks, front_in_use;
static pthread_mutex_t front_lock = PTHREAD_MUTEX_INITIALIZER;

const struct host_design *host_design_find(const char *name)
{
	for (unsigned i = 0; i < host_ndesigns; i++)
		if (strcmp(host_designs[i].name, name) == 0)
			return &host_designs[i];
	return NULL;
}

int front_select(const char *name)
{
	const struct host_design *d = host_design_find(name);

	if (!d)
		return -1;
	front_ops = d->ops;
	return 0;
}

void *front_alloc(size_t size, size_t align)
{
	void *p;

	if (size == 0 || size > KMALLOC_MAX)
		return NULL;
	if (align == 0 || (align & (align - 1)) || align > HEAP_MAX_ALIGN)
		return NULL;
	if (align < HEAP_MIN_ALIGN)
		align = HEAP_MIN_ALIGN;
	pthread_mutex_lock(&front_lock);
	p = front_ops->alloc(size, align);
	if (p) {
		front_blocks++;
		front_in_use += front_ops->usable_size(p);
	}
	pthread_mutex_unlock(&front_lock);
	return p;
}

void front_free(void *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&front_lock);
	front_in_use -= front_ops->free(p); /* panics on a double free or a bad pointer */
	front_blocks--;
	pthread_mutex_unlock(&front_lock);
}

size_t front_usable_size(const void *p)
{
	size_t n;

	pthread_mutex_lock(&front_lock);
	n = front_ops->usable_size(p);
	pthread_mutex_unlock(&front_lock);
	return n;
}

void *front_calloc(size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	p = front_alloc(n * size, HEAP_MIN_ALIGN);
	if (p)
		memset(p, 0, n * size); /* freed memory holds HEAP_POISON, never zeroes */
	return p;
}

void *front_realloc(void *p, size_t size)
{
	size_t old;
	void *q;

	if (!p)
		return front_alloc(size, HEAP_MIN_ALIGN);
	if (size == 0) {
		front_free(p);
		return NULL;
	}
	old = front_usable_size(p);
	if (size <= old)
		return p;
	q = front_alloc(size, HEAP_MIN_ALIGN);
	if (!q)
		return NULL;
	memcpy(q, p, old);
	front_free(p);
	return q;
}

void front_fork_prepare(void)
{
	pthread_mutex_lock(&front_lock);
}

void front_fork_parent(void)
{
	pthread_mutex_unlock(&front_lock);
}

void front_fork_child(void)
{
	/* The child's only thread is the one that took the lock in prepare: start it afresh. */
	pthread_mutex_init(&front_lock, NULL);
}
