/*
 * paging.h: the kernel's own page tables (lab 6, given code in paging.c).
 *
 * kmain calls these in order after lab 5's steps. With the PAGING chapter switched off they are
 * empty stubs and the boot page tables of boot.S stay in use.
 */
#ifndef PAGING_H
#define PAGING_H

#include <stdint.h>

#include "vm.h"

#if CONFIG_PAGING
/* EFER.NXE (bit 63 of an entry means no-execute) and CR0.WP (ring 0 obeys read-only pages). */
void paging_cpu_init(void);

/* Build the direct map of all RAM in kernel_pml4 (1 GiB pages when CPUID has pdpe1gb, 2 MiB
 * pages otherwise) and show it through the boot PML4 too, so that every frame is reachable. */
void direct_map_init(void);

/* frame_init() over the memory map, with the kernel image, the boot page tables and the boot
 * information reserved (frame.h). */
void frame_setup(void);

/* Map the kernel image into kernel_pml4 with 4 KiB pages and real permissions through
 * vm_map(): text read-only and executable, rodata (and the test table) read-only and NX, data
 * and bss writable and NX, the guard pages below the boot stack and the double-fault stack not
 * at all. Then load kernel_pml4 into CR3: the boot page tables are no longer used. */
void kernel_remap(void);

/* Whether the direct map uses 1 GiB pages, and how many bytes of physical memory it covers. */
extern int direct_map_1g;
extern uint64_t direct_map_size;

/* The kernel's PML4, in its image (.bss). */
extern pte_t kernel_pml4[VM_ENTRIES];
#else
/* clang-format off */
static inline void paging_cpu_init(void) {}
static inline void direct_map_init(void) {}
static inline void frame_setup(void) {}
static inline void kernel_remap(void) {}
/* clang-format on */
#endif /* CONFIG_PAGING */

#endif /* PAGING_H */
