/*
 * vm_map.c: adding and removing 4 KiB mappings (lab 6, exercise 3). vm.h states the rules.
 *
 * vm_map() walks from the PML4 down to the page table, allocating and zeroing each missing table
 * on the way (frame_alloc()), and writes the leaf entry. vm_unmap() walks the same path, clears
 * the leaf, flushes its TLB entry with invlpg, and then climbs back up, freeing each table that
 * has become empty.
 */
#include <stdint.h>

#include "frame.h"
#include "panic.h"
#include "vm.h"
#include "x86.h"

int vm_map(pte_t *pml4, uint64_t va, paddr_t pa, uint64_t flags)
{
	/* LAB 6: your code here */
	panic("lab 6: vm_map not implemented");
}

int vm_unmap(pte_t *pml4, uint64_t va)
{
	/* LAB 6: your code here */
	panic("lab 6: vm_unmap not implemented");
}
