# Lab 8 manifest (see labs/lab1.mk for the keys).
LAB8_NAME := allocators
LAB8_TITLE := Allocator designs: bump, fixed-size blocks, buddy and slab, graded in the kernel and measured on the host
LAB8_SRCS := kernel/mm/heap_pages.c kernel/tests/lab8_tests.c
LAB8_EXERCISES := kernel/mm/alloc_bump.c kernel/mm/alloc_fixed.c kernel/mm/alloc_buddy.c \
	kernel/mm/alloc_slab.c
LAB8_HANDOUT := handouts/lab8-allocators.md
# make lab-8 runs a mixed workload on the design in use and prints its heap (ALLOC=name picks
# the design; default slab).
LAB8_DEMO := run=lab8.demo
