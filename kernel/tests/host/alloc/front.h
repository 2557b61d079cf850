/*
 * front.h: the host's kmalloc front end (the kernel's is kmalloc.c). One design per process,
 * chosen by name with front_select() before the first allocation; every call takes one pthread
 * mutex where the kernel takes the heap spinlock, so threads may share it. The rules are
 * kmalloc.h's: size 0 and size > KMALLOC_MAX give NULL, as do alignments that are not a power of
 * two or exceed HEAP_MAX_ALIGN; smaller alignments are raised to HEAP_MIN_ALIGN.
 */
#ifndef HOST_FRONT_H
#define HOST_FRONT_H

#include <stddef.h>

#include "heap.h"

/* A design as the host programs know it: alloc.h's name and its heap_ops. */
struct host_design {
	const char *name;
	const struct heap_ops *ops;
};

/* Every design, in alloc.h's order, and how many there are. */
extern const struct host_design host_designs[];
extern const unsigned host_ndesigns;

/* The design called name, or NULL. */
const struct host_design *host_design_find(const char *name);

/* The design in use (NULL before front_select()). */
extern const struct heap_ops *front_ops;

/* Use the design called name from now on. Returns 0, or -1 for an unknown name. */
int front_select(const char *name);

/* kmalloc_aligned, kfree, heap_usable_size, kcalloc and krealloc of kmalloc.h, locked. */
void *front_alloc(size_t size, size_t align);
void front_free(void *p);
size_t front_usable_size(const void *p);
void *front_calloc(size_t n, size_t size);
void *front_realloc(void *p, size_t size);

/* pthread_atfork handlers for the lock: prepare takes it, so no other thread holds it across
 * fork(); parent releases it; child gives the one thread left a free lock. */
void front_fork_prepare(void);
void front_fork_parent(void);
void front_fork_child(void);

/* Blocks out, and their usable bytes, counted as kmalloc.c counts them. */
extern size_t front_blocks, front_in_use;

#endif /* HOST_FRONT_H */
