/*
 * vm.h: 4-level page tables (lab 6, exercises 2 and 3: vm_translate.c and vm_map.c).
 *
 * A virtual address splits as 9+9+9+9+12 bits (Intel SDM Vol. 3A §4.5, Figure 4-8):
 *
 *   63      48 47    39 38    30 29    21 20    12 11         0
 *   | sign    | PML4   | PDPT   | PD     | PT     | offset     |
 *
 * Each table is one 4 KiB frame of 512 entries (pte_t). An entry holds a physical address in
 * bits 51..12 and flags in the others. A PDPT entry with PTE_PS maps a 1 GiB page, a PD entry
 * with PTE_PS a 2 MiB page. The functions below reach tables through the direct map
 * (phys_to_virt()), and take the PML4 to work on as an argument, so the given code can build
 * page tables that are not loaded yet; vm_current() is the one CR3 points at.
 */
#ifndef VM_H
#define VM_H

#include <stdint.h>

#include "layout.h"

typedef uint64_t pte_t;

/* Page-table entry bits (SDM Vol. 3A §4.5, Tables 4-15 to 4-20). */
#define PTE_P    (1ull << 0) /* present */
#define PTE_W    (1ull << 1) /* writable */
#define PTE_U    (1ull << 2) /* user mode may access */
#define PTE_PWT  (1ull << 3)
#define PTE_PCD  (1ull << 4)
#define PTE_A    (1ull << 5)           /* accessed: set by the CPU */
#define PTE_D    (1ull << 6)           /* dirty: set by the CPU on a write (leaf entries) */
#define PTE_PS   (1ull << 7)           /* in a PDPT or PD entry: a 1 GiB or 2 MiB page */
#define PTE_G    (1ull << 8)           /* global: kept in the TLB across CR3 loads (with CR4.PGE) */
#define PTE_NX   (1ull << 63)          /* no-execute (with EFER.NXE) */
#define PTE_ADDR 0x000ffffffffff000ull /* the physical address bits 51..12 */

#define VM_ENTRIES 512
#define PAGE_2M    0x200000ull
#define PAGE_1G    0x40000000ull

/* The index of va in each level's table, and the offset in its 4 KiB page. */
#define PML4_INDEX(va) (((uint64_t)(va) >> 39) & 0x1ff)
#define PDPT_INDEX(va) (((uint64_t)(va) >> 30) & 0x1ff)
#define PD_INDEX(va)   (((uint64_t)(va) >> 21) & 0x1ff)
#define PT_INDEX(va)   (((uint64_t)(va) >> 12) & 0x1ff)

/* Canonical: bits 63..47 all equal (SDM Vol. 1 §3.3.7.1). */
static inline int vm_canonical(uint64_t va)
{
	return ((int64_t)(va << 16) >> 16) == (int64_t)va;
}

/* What vm_translate() returns for an address that no page maps. */
#define VM_UNMAPPED (~0ull)

/* Error codes of vm_map() and vm_unmap() (0 is success). */
#define VM_EINVAL     (-1) /* a misaligned or non-canonical address, or a flag not allowed */
#define VM_EEXIST     (-2) /* vm_map: the page is mapped already, or a huge page covers it */
#define VM_ENOMEM     (-3) /* vm_map: no frame left for a page table */
#define VM_ENOTMAPPED (-4) /* vm_unmap: the page is not mapped */

/* The flags vm_map() accepts; PTE_P is implied. */
#define VM_FLAGS (PTE_W | PTE_U | PTE_NX | PTE_G)

/* The PML4 CR3 points at, through the direct map. */
pte_t *vm_current(void);

/*
 * Exercise 2 (vm_translate.c). Walk pml4's tables in software, as the MMU would for va, and
 * return the physical address va reaches (the frame's address plus va's offset in the page, all
 * bits of it), or VM_UNMAPPED. Rules:
 *   - a non-canonical va is VM_UNMAPPED, without reading any table;
 *   - the indices are va's bits 47..39, 38..30, 29..21 and 20..12 (PML4_INDEX ... PT_INDEX);
 *   - an entry without PTE_P, at any level, makes va VM_UNMAPPED;
 *   - a PDPT entry with PTE_PS is a 1 GiB page: the address is the entry's bits 51..30 plus va's
 *     low 30 bits; a PD entry with PTE_PS a 2 MiB page: bits 51..21 plus va's low 21 bits;
 *   - the next table's (or the page's) address is the entry's bits 51..12 (PTE_ADDR): flag bits
 *     such as PTE_NX (bit 63) are not part of it.
 * Changes nothing, not even the accessed bits.
 */
paddr_t vm_translate(const pte_t *pml4, uint64_t va);

/*
 * Exercise 3 (vm_map.c). Map the 4 KiB page at va to the frame at pa in pml4's tables, with
 * PTE_P plus flags (a subset of VM_FLAGS). Returns 0 or an error code, and on error changes no
 * existing entry:
 *   - VM_EINVAL if va is not canonical or not 4 KiB-aligned, pa is not 4 KiB-aligned or not
 *     below 2^52, or flags holds a bit outside VM_FLAGS;
 *   - VM_EEXIST if va is mapped already (the leaf entry is present) or a 1 GiB or 2 MiB page
 *     covers it: an existing mapping is never overwritten;
 *   - VM_ENOMEM if a page table is needed and frame_alloc() has no frame left.
 * A missing PDPT, PD or PT is allocated with frame_alloc() and zeroed (all 512 entries) before
 * the entry pointing at it is written. Each entry written to point at a new table (a PML4,
 * PDPT or PD entry) is the table's address | PTE_P | PTE_W, plus PTE_U when flags has PTE_U,
 * and never PTE_NX or PTE_G: the leaf decides; entries that already point at a table are left
 * as they are. The leaf (PT entry) is exactly pa | PTE_P | flags. The TLB needs no flush: it
 * never holds a translation for a page that was not present.
 */
int vm_map(pte_t *pml4, uint64_t va, paddr_t pa, uint64_t flags);

/*
 * Exercise 3. Remove the 4 KiB mapping of va from pml4's tables. Returns 0, VM_EINVAL for a
 * non-canonical or misaligned va or one inside a 1 GiB or 2 MiB page (those are not split), or
 * VM_ENOTMAPPED when va is not mapped (nothing changes). On success:
 *   - the PT entry becomes 0, and invlpg(va) drops the stale translation from the TLB (the
 *     frame va mapped is not freed: it belongs to the caller);
 *   - then, from the bottom up, a PT, PD or PDPT left with no present entry is given back with
 *     frame_free() and the entry that pointed at it becomes 0; the PML4 itself is never freed,
 *     nor is a table that still has a present entry.
 */
int vm_unmap(pte_t *pml4, uint64_t va);

#endif /* VM_H */
