/* lab8_tests.c: lab 8's in-kernel tests (placeholder). */
#include "alloc.h"
#include "kmalloc.h"
#include "kprintf.h"
#include "ktest.h"

KTEST_ALONE(lab8, demo)
{
	kprintf("allocator %s\n", kmalloc_design());
}
