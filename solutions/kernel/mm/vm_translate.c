/*
 * vm_translate.c: a software page-table walk (lab 6, exercise 2). vm.h states the rules.
 *
 * The walk does what the MMU does for one address: take the PML4 entry its bits 47..39 select,
 * follow it to the PDPT, and so on down to the page table, stopping early at an entry that is not
 * present or that maps a huge page. Tables are read through the direct map (phys_to_virt()).
 */
#include <stdint.h>

#include "panic.h"
#include "vm.h"

paddr_t vm_translate(const pte_t *pml4, uint64_t va)
{
	const pte_t *table = pml4;
	pte_t e;

	if (!vm_canonical(va))
		return VM_UNMAPPED;
	e = table[PML4_INDEX(va)];
	if (!(e & PTE_P))
		return VM_UNMAPPED;
	table = phys_to_virt(e & PTE_ADDR);
	e = table[PDPT_INDEX(va)];
	if (!(e & PTE_P))
		return VM_UNMAPPED;
	if (e & PTE_PS)
		return (e & PTE_ADDR & ~(PAGE_1G - 1)) | (va & (PAGE_1G - 1));
	table = phys_to_virt(e & PTE_ADDR);
	e = table[PD_INDEX(va)];
	if (!(e & PTE_P))
		return VM_UNMAPPED;
	if (e & PTE_PS)
		return (e & PTE_ADDR & ~(PAGE_2M - 1)) | (va & (PAGE_2M - 1));
	table = phys_to_virt(e & PTE_ADDR);
	e = table[PT_INDEX(va)];
	if (!(e & PTE_P))
		return VM_UNMAPPED;
	return (e & PTE_ADDR) | (va & (PAGE_SIZE - 1));
}
