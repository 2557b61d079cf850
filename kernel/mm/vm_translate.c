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
	/* LAB 6: your code here */
	panic("lab 6: vm_translate not implemented");
}
