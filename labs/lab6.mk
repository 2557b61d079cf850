# Lab 6 manifest (see labs/lab1.mk for the keys).
LAB6_NAME := paging
LAB6_TITLE := Paging: the frame allocator, page-table walks, mapping, and the kernel's permissions
LAB6_SRCS := kernel/mm/paging.c kernel/tests/lab6_tests.c
LAB6_EXERCISES := kernel/mm/frame_alloc.c kernel/mm/vm_translate.c kernel/mm/vm_map.c
LAB6_HANDOUT := handouts/lab6-paging.md
# make lab-6 prints the memory map, the frame counts and a few translations.
LAB6_DEMO := run=lab6.demo
