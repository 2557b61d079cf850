/*
 * The kernel's virtual memory layout, shared by the boot assembly and C.
 *
 *   0xffffffffffffffff +------------------------------+
 *                      | kernel image (text, data,    |  KERNEL_VMA + physical address:
 *   0xffffffff80100000 | bss, stacks), 4 KiB pages    |  boot.S: phys 0 .. 4 MiB, the two stack
 *   0xffffffff80000000 +------------------------------+  guard pages unmapped; lab 6: the image
 *                      |          (unmapped)          |  only, with W^X permissions (paging.c)
 *   0xffffff8040000000 +------------------------------+
 *                      | kernel heap (lab 7): 1 GiB   |  HEAP_BASE: 4 KiB pages, writable and
 *   0xffffff8000000000 | of room, mapped on demand    |  NX, mapped as kmalloc grows, up to heap=
 *                      +------------------------------+
 *                      |          (unmapped)          |
 *   0xffff800100000000 +------------------------------+  (boot.S; lab 6: the end of RAM)
 *                      | direct map of physical       |  DIRECT_MAP_BASE + physical address:
 *                      | memory 0 .. 4 GiB (lab 6:    |  phys_to_virt() reaches any byte of RAM
 *                      | all RAM), 2 MiB pages (lab 6:|  and device memory such as VGA at 0xb8000
 *   0xffff800000000000 | 1 GiB where the CPU has them)|
 *                      +------------------------------+
 *                      |  non-canonical hole (#GP)    |
 *   0x00007fffffffffff +------------------------------+
 *                      |  unmapped after boot: NULL   |  the boot identity map is dropped
 *   0x0000000000000000 +------------------------------+  by boot_mm_drop_identity()
 */
#ifndef LAYOUT_H
#define LAYOUT_H

#define KERNEL_VMA 0xffffffff80000000
#define DIRECT_MAP_BASE 0xffff800000000000
#define DIRECT_MAP_SIZE 0x100000000 /* 4 GiB in boot.S (lab 6: direct_map_size, paging.h) */
#define KERNEL_MAP_SIZE 0x400000    /* the boot code maps 4 MiB of kernel image */
#define PAGE_SIZE 4096
#define HEAP_BASE 0xffffff8000000000 /* lab 7: PML4 slot 511, below the kernel image */
#define HEAP_REGION_SIZE 0x40000000  /* 1 GiB of address space; heap= limits what is mapped */

#ifndef __ASSEMBLY__
#include <stdint.h>

typedef uint64_t paddr_t;

/* The virtual address at which the direct map shows physical address pa. */
static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(pa + DIRECT_MAP_BASE);
}

/* The physical address behind a direct-map or kernel-image virtual address. */
static inline paddr_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)va;

	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DIRECT_MAP_BASE;
}
#endif /* __ASSEMBLY__ */

#endif /* LAYOUT_H */
