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

/* The table entry e points at. */
static pte_t *table_of(pte_t e)
{
	return phys_to_virt(e & PTE_ADDR);
}

int vm_map(pte_t *pml4, uint64_t va, paddr_t pa, uint64_t flags)
{
	unsigned index[3] = { PML4_INDEX(va), PDPT_INDEX(va), PD_INDEX(va) };
	pte_t *table = pml4;

	if (!vm_canonical(va) || va % PAGE_SIZE != 0 || pa % PAGE_SIZE != 0 || pa >> 52 != 0 ||
	    (flags & ~VM_FLAGS) != 0)
		return VM_EINVAL;
	/* Check before allocating anything: a huge page or a present leaf on the path. */
	for (int level = 0; level < 3; level++) {
		pte_t e = table[index[level]];

		if (!(e & PTE_P))
			break;
		if (e & PTE_PS)
			return VM_EEXIST;
		table = table_of(e);
		if (level == 2 && (table[PT_INDEX(va)] & PTE_P))
			return VM_EEXIST;
	}
	table = pml4;
	for (int level = 0; level < 3; level++) {
		pte_t *e = &table[index[level]];

		if (!(*e & PTE_P)) {
			paddr_t t = frame_alloc();
			pte_t *fresh;

			if (t == 0)
				return VM_ENOMEM;
			fresh = phys_to_virt(t);
			for (int i = 0; i < VM_ENTRIES; i++)
				fresh[i] = 0;
			*e = t | PTE_P | PTE_W | (flags & PTE_U);
		}
		table = table_of(*e);
	}
	table[PT_INDEX(va)] = pa | PTE_P | flags;
	return 0;
}

static int empty(const pte_t *table)
{
	for (int i = 0; i < VM_ENTRIES; i++) {
		if (table[i] & PTE_P)
			return 0;
	}
	return 1;
}

int vm_unmap(pte_t *pml4, uint64_t va)
{
	pte_t *path[4] = { pml4 }; /* the tables on va's path: PML4, PDPT, PD, PT */
	unsigned index[4] = { PML4_INDEX(va), PDPT_INDEX(va), PD_INDEX(va), PT_INDEX(va) };

	if (!vm_canonical(va) || va % PAGE_SIZE != 0)
		return VM_EINVAL;
	for (int level = 0; level < 3; level++) {
		pte_t e = path[level][index[level]];

		if (!(e & PTE_P))
			return VM_ENOTMAPPED;
		if (e & PTE_PS)
			return VM_EINVAL;
		path[level + 1] = table_of(e);
	}
	if (!(path[3][index[3]] & PTE_P))
		return VM_ENOTMAPPED;
	path[3][index[3]] = 0;
	/* Free the PT, then the PD, then the PDPT, while each is empty; never the PML4. */
	for (int level = 3; level > 0 && empty(path[level]); level--) {
		path[level - 1][index[level - 1]] = 0;
		frame_free(virt_to_phys(path[level]));
	}
	invlpg((const void *)va); /* also drops cached entries of the tables freed above */
	return 0;
}
