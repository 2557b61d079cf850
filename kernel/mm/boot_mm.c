/*
 * boot_mm.c: finishing the boot page tables. boot.S identity-maps low memory because the
 * instruction that turns paging on must be followed by instructions at the same addresses.
 * Once we run in the higher half nothing needs it, and keeping it would hide bugs: a NULL
 * pointer would read physical page 0 instead of faulting. So we clear PML4 entry 0 and reload
 * CR3, which flushes the stale translations from the TLB.
 */
#include <stdint.h>

#include "boot_mm.h"
#include "layout.h"
#include "x86.h"

void boot_mm_drop_identity(void)
{
	uint64_t *pml4 = phys_to_virt(read_cr3() & ~0xfffull);

	pml4[0] = 0;
	write_cr3(read_cr3());
}
