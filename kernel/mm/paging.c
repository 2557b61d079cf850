/*
 * paging.c: the kernel's own page tables, replacing boot.S's (lab 6, given code).
 *
 * boot.S maps the first 4 GiB of physical memory at DIRECT_MAP_BASE and the first 4 MiB of the
 * image at KERNEL_VMA, all writable and executable. This file, in four steps that kmain calls in
 * order, builds what the kernel keeps:
 *   1. paging_cpu_init() turns on EFER.NXE, so PTE_NX means something, and CR0.WP, so that ring 0
 *      cannot write through read-only entries either;
 *   2. direct_map_init() maps all of physical memory (at least 4 GiB, up to the end of the
 *      highest available region) at DIRECT_MAP_BASE, writable and NX, with 1 GiB pages when the
 *      CPU has them (CPUID pdpe1gb) and 2 MiB pages otherwise. Its tables are static, in .bss,
 *      so no allocator is needed yet. The boot PML4 (still in CR3, and reached through the
 *      direct map: boot.S's symbols are physical addresses) gets the same entry, so every frame is
 *      reachable through phys_to_virt() from here on;
 *   3. frame_setup() hands the memory map to the frame allocator (frame.h), reserving the
 *      kernel image, the boot page tables and the boot information;
 *   4. kernel_remap() maps the image into kernel_pml4 page by page with vm_map(), with the
 *      permissions of each part (W^X: nothing is both writable and executable), leaves the two
 *      stack guard pages unmapped, and loads kernel_pml4. Its PML4 entry 0 stays empty: NULL and
 *      every other low address fault.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "kprintf.h"
#include "layout.h"
#include "multiboot.h"
#include "panic.h"
#include "paging.h"
#include "x86.h"

#define DM_MAX_GIB 64 /* the largest direct map with 2 MiB pages: 64 page directories */

/* Linker-script and boot.S symbols (kernel.ld, boot.S). */
extern uint8_t __boot_start[], __boot_bss_start[], __boot_bss_end[];
extern uint8_t __text_start[], __rodata_start[], __data_start[], __kernel_end[];
extern uint8_t boot_stack_guard[], double_fault_stack_guard[];

pte_t kernel_pml4[VM_ENTRIES] __attribute__((aligned(4096)));
static pte_t dm_pdpt[VM_ENTRIES] __attribute__((aligned(4096)));
static pte_t dm_pd[DM_MAX_GIB][VM_ENTRIES] __attribute__((aligned(4096)));
int direct_map_1g;
uint64_t direct_map_size;

pte_t *vm_current(void)
{
	return phys_to_virt(read_cr3() & PTE_ADDR);
}

void paging_cpu_init(void)
{
	uint32_t r[4];

	cpuid(0x80000001, r);
	if (!(r[3] & CPUID_EXT_NX))
		panic("paging: this CPU has no execute-disable bit (CPUID 0x80000001 EDX bit 20)");
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
}

/* The end of the highest available region of the memory map. */
static uint64_t ram_top(void)
{
	uint64_t top = 0;

	for (size_t i = 0; i < boot_info.mmap_count; i++) {
		const struct mb2_mmap_entry *e = (const void *)((const uint8_t *)boot_info.mmap +
								i * boot_info.mmap_entry_size);
		if (e->type == MB2_MEMORY_AVAILABLE && e->base + e->length > top)
			top = e->base + e->length;
	}
	return top;
}

void direct_map_init(void)
{
	uint32_t r[4];
	uint64_t gib = (ram_top() + PAGE_1G - 1) / PAGE_1G;
	const uint64_t table = PTE_P | PTE_W;
	const uint64_t page = PTE_P | PTE_W | PTE_PS | PTE_NX | PTE_G;

	cpuid(0x80000001, r);
	direct_map_1g = (r[3] & CPUID_EXT_PDPE1GB) != 0;
	if (gib < 4)
		gib = 4; /* device memory (VGA, the APIC) lies below 4 GiB */
	if (gib > DM_MAX_GIB) {
		kprintf("paging: RAM above %d GiB is not mapped\n", DM_MAX_GIB);
		gib = DM_MAX_GIB;
	}
	for (uint64_t g = 0; g < gib; g++) {
		if (direct_map_1g) {
			dm_pdpt[g] = g * PAGE_1G | page;
			continue;
		}
		for (uint64_t j = 0; j < VM_ENTRIES; j++)
			dm_pd[g][j] = (g * PAGE_1G + j * PAGE_2M) | page;
		dm_pdpt[g] = virt_to_phys(dm_pd[g]) | table;
	}
	direct_map_size = gib * PAGE_1G;
	kernel_pml4[PML4_INDEX(DIRECT_MAP_BASE)] = virt_to_phys(dm_pdpt) | table;
	/* The boot PML4 is live: its old entry mapped the first 4 GiB the same way, so swapping
	 * the entry and flushing the TLB changes no address the kernel is using. */
	vm_current()[PML4_INDEX(DIRECT_MAP_BASE)] = kernel_pml4[PML4_INDEX(DIRECT_MAP_BASE)];
	write_cr3(read_cr3());
}

void frame_setup(void)
{
	struct phys_range avail[FRAME_MAX_REGIONS];
	size_t n = 0;
	const struct phys_range reserved[] = {
		/* the whole image, from the Multiboot2 header to the end of the stacks */
		{ (paddr_t)__boot_start, virt_to_phys(__kernel_end) },
		/* boot.S's page tables (inside the image, but named for what they are) */
		{ (paddr_t)__boot_bss_start, (paddr_t)__boot_bss_end },
		/* the boot information: the memory map, the command line */
		{ boot_info.info_start, boot_info.info_end },
	};

	for (size_t i = 0; i < boot_info.mmap_count && n < FRAME_MAX_REGIONS; i++) {
		const struct mb2_mmap_entry *e = (const void *)((const uint8_t *)boot_info.mmap +
								i * boot_info.mmap_entry_size);
		if (e->type == MB2_MEMORY_AVAILABLE && e->length > 0)
			avail[n++] = (struct phys_range){ e->base, e->base + e->length };
	}
	frame_init(avail, n, reserved, sizeof(reserved) / sizeof(reserved[0]));
}

/* Whether the image page at va is mapped (the guard pages are not), and its permissions. */
static bool image_flags(const uint8_t *va, uint64_t *flags)
{
	if (va == boot_stack_guard || va == double_fault_stack_guard)
		return false;
	if (va < __rodata_start)
		*flags = 0; /* text: read-only, executable */
	else if (va < __data_start)
		*flags = PTE_NX; /* rodata and the test table: read-only */
	else
		*flags = PTE_W | PTE_NX;
	return true;
}

void kernel_remap(void)
{
	for (const uint8_t *va = __text_start; va < __kernel_end; va += PAGE_SIZE) {
		uint64_t flags;
		int err;

		if (!image_flags(va, &flags))
			continue;
		err = vm_map(kernel_pml4, (uint64_t)va, virt_to_phys(va), flags);
		if (err != 0)
			panic("kernel_remap: vm_map(%p) returned %d", (const void *)va, err);
	}
	write_cr3(virt_to_phys(kernel_pml4));
}
