# Lab 7 manifest (see labs/lab1.mk for the keys).
LAB7_NAME := heap
LAB7_TITLE := The kernel heap: a region that grows, kmalloc and its contract, a first-fit allocator
LAB7_SRCS := kernel/mm/heap.c kernel/mm/kmalloc.c kernel/tests/lab7_tests.c
LAB7_EXERCISES := kernel/mm/heap_firstfit.c kernel/mm/kmalloc_api.c
LAB7_HANDOUT := handouts/lab7-heap.md
# make lab-7 allocates, frees and prints the heap's statistics.
LAB7_DEMO := run=lab7.demo
