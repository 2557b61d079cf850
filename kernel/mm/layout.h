/*
 * The kernel's virtual memory layout, shared by the boot assembly and C.
 *
 *   0xffffffffffffffff +------------------------------+
 *                      | kernel image (text, data,    |  KERNEL_VMA + physical address:
 *   0xffffffff80100000 | bss, stacks), 4 KiB pages    |  phys 0 .. 4 MiB, one guard page unmapped
 *   0xffffffff80000000 +------------------------------+
 *                      |          (unmapped)          |
 *   0xffff800100000000 +------------------------------+
 *                      | direct map of physical       |  DIRECT_MAP_BASE + physical address:
 *                      | memory 0 .. 4 GiB, 2 MiB     |  phys_to_virt() reaches any byte of RAM
 *   0xffff800000000000 | pages                        |  and device memory such as VGA at 0xb8000
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
#define DIRECT_MAP_SIZE 0x100000000 /* 4 GiB */
#define KERNEL_MAP_SIZE 0x400000    /* the boot code maps 4 MiB of kernel image */
#define PAGE_SIZE 4096

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
