/*
 * lab6_tests.c: in-kernel tests for lab 6 (paging).
 *
 * These run after kernel_remap(), on the kernel's own page tables. The kernel reports facts with
 * ktest_value() and the grader checks them against the machine (grade/test_lab6.py): QEMU's
 * gva2gpa for every translation, the physical frames read with pmemsave for every mapping, the
 * page-table entries read from memory, QEMU's own -d int log for every page fault, and the raw
 * Multiboot2 memory map for the frame allocator. Random inputs come from ktest_rng(), so the
 * order of the draws below is part of the contract with the grader.
 *
 * lab6.translate and lab6.map share a boot that holds afterwards, so their mappings are still
 * in place when the grader looks. The fault tests, the frame-exhaustion test and the free-error
 * tests end or fill the machine, so each is flagged alone and gets a boot of its own.
 */
#include <stdbool.h>
#include <stdint.h>

#include "cmdline.h"
#include "frame.h"
#include "kprintf.h"
#include "ktest.h"
#include "layout.h"
#include "multiboot.h"
#include "paging.h"
#include "vm.h"
#include "x86.h"

extern uint8_t __text_start[], __rodata_start[], __data_start[], __bss_start[], __kernel_end[];
extern uint8_t boot_stack_guard[], boot_stack_top[], double_fault_stack_guard[];

/* A page of `ret` instructions in .data: executing it must fault (NX); if it does not, the
 * call simply returns and the test fails instead of running wild. */
uint8_t lab6_data_page[4096] __attribute__((aligned(4096))) = { [0 ... 4095] = 0xc3 };

#define SLOT_HUGE   510          /* the PML4 slot lab6.translate builds its huge pages in */
#define SLOT_FRESH  255          /* the PML4 slot of lab6.translate's freshly mapped page */
#define HUGE_PAT    (1ull << 12) /* PAT in a 1 GiB or 2 MiB page's entry (SDM Vol. 3A §4.5) */
#define SOFT_BIT    (1ull << 52) /* ignored by the MMU, free for software */
#define JUNK_FRAMES 12
#define JUNK        0xa5a5a5a5a5a5a5a5ull /* present, huge, user: nothing a fresh table holds */

static uint64_t in_range(struct rng *r, const void *start, const void *end)
{
	return (uint64_t)start + rng_below(r, (uint64_t)end - (uint64_t)start);
}

static uint64_t make_va(uint64_t slot, uint64_t pdpt, uint64_t pd, uint64_t pt)
{
	uint64_t va = slot << 39 | pdpt << 30 | pd << 21 | pt << 12;

	return (uint64_t)((int64_t)(va << 16) >> 16); /* sign-extend bit 47 */
}

/* A random page-aligned address in PML4 slot `slot`. */
static uint64_t random_page(struct rng *r, uint64_t slot)
{
	uint64_t pdpt = rng_below(r, 512), pd = rng_below(r, 512);

	return make_va(slot, pdpt, pd, rng_below(r, 512));
}

static void report(const char *key, uint64_t va)
{
	paddr_t pa = vm_translate(vm_current(), va);

	if (pa == VM_UNMAPPED)
		ktest_value(key, "%016lx unmapped", (unsigned long)va);
	else
		ktest_value(key, "%016lx %016lx", (unsigned long)va, (unsigned long)pa);
}

/* A fresh table for the huge-page entries below, zeroed. */
static pte_t *fresh_table(paddr_t *pa)
{
	pte_t *t;

	*pa = frame_alloc();
	if (*pa == 0)
		return NULL;
	t = phys_to_virt(*pa);
	for (int i = 0; i < VM_ENTRIES; i++)
		t[i] = 0;
	return t;
}

/*
 * Translations of kernel addresses of every kind: the grader asks QEMU (gva2gpa) about each.
 * The draws, in order: text, rodata, data, bss, the stack offset, two direct-map addresses,
 * the huge-page indices and frames, the unmapped ones, the non-canonical ones, the page mapped
 * last.
 */
KTEST(lab6, translate)
{
	struct rng r = ktest_rng();
	volatile uint64_t local = 0;
	pte_t *pml4 = vm_current();
	paddr_t pdpt_pa, pd_pa;
	pte_t *pdpt, *pd;

	report("text0", in_range(&r, __text_start, __rodata_start));
	report("text1", (uint64_t)__text_start);
	report("rodata0", in_range(&r, __rodata_start, __data_start));
	report("rodata1", (uint64_t)__data_start - 1);
	report("data0", in_range(&r, __data_start, __bss_start));
	report("data1", (uint64_t)lab6_data_page + 4095);
	report("bss0", in_range(&r, __bss_start, boot_stack_guard));
	report("bss1", (uint64_t)__kernel_end - 1);
	report("stack0", (uint64_t)&local + rng_below(&r, 8));
	report("stack1", (uint64_t)boot_stack_top - 1);
	report("direct0", DIRECT_MAP_BASE + rng_below(&r, direct_map_size));
	report("direct1", DIRECT_MAP_BASE + direct_map_size - 1 - rng_below(&r, PAGE_1G));
	report("direct2", DIRECT_MAP_BASE + direct_map_size - 1);

	/* Huge pages of both sizes, whatever the CPU: entries the walk must read, never used. */
	KT_ASSERT(pml4[SLOT_HUGE] == 0, "PML4 slot %d is in use already", SLOT_HUGE);
	pdpt = fresh_table(&pdpt_pa);
	pd = fresh_table(&pd_pa);
	KT_ASSERT(pdpt && pd, "no frame for the huge-page test's tables");
	{
		uint64_t i1 = rng_below(&r, 256), i2 = 256 + rng_below(&r, 256);
		uint64_t j = 1 + rng_below(&r, 511);
		uint64_t g = 1 + rng_below(&r, 1023), m = 1 + rng_below(&r, (1ull << 10) - 1);
		paddr_t fx;
		int err;

		/* The 2 MiB frame number's low 9 bits are the complement of the PD index j (never
		 * 0): an offset taken with the 1 GiB mask (bits 29..21 of va, j) shows. */
		m = m << 9 | (~j & 0x1ff);

		/* Bit 12 of a huge-page entry is PAT, bit 52 is free for software: neither is
		 * part of the address. */
		pdpt[i1] = g * PAGE_1G | PTE_P | PTE_W | PTE_PS | PTE_NX | HUGE_PAT | SOFT_BIT;
		pdpt[i2] = pd_pa | PTE_P | PTE_W | SOFT_BIT;
		pd[j] = m * PAGE_2M | PTE_P | PTE_W | PTE_PS | PTE_NX | HUGE_PAT | SOFT_BIT;
		pml4[SLOT_HUGE] = pdpt_pa | PTE_P | PTE_W;
		report("huge1g", make_va(SLOT_HUGE, i1, 0, 0) + rng_below(&r, PAGE_1G));
		report("huge2m", make_va(SLOT_HUGE, i2, j, 0) + rng_below(&r, PAGE_2M));
		/* Each page's first byte (bit 12 clear: the PAT bit shows) and last byte (every
		 * offset bit set: a mask one size too small shows). */
		report("huge1g0", make_va(SLOT_HUGE, i1, 0, 0));
		report("huge1g1", make_va(SLOT_HUGE, i1, 0, 0) + PAGE_1G - 1);
		report("huge2m0", make_va(SLOT_HUGE, i2, j, 0));
		report("huge2m1", make_va(SLOT_HUGE, i2, j, 0) + PAGE_2M - 1);
		report("hugeun", make_va(SLOT_HUGE, i2, (j + 1 + rng_below(&r, 511)) % 512, 0));
		report("hugeun2", make_va(SLOT_HUGE, (i1 + 1 + rng_below(&r, 254)) % 256, 0, 0));

		/* vm_map never maps over a huge page, of either size. */
		fx = frame_alloc();
		KT_ASSERT(fx != 0, "frame_alloc returned 0");
		err = vm_map(pml4, make_va(SLOT_HUGE, i1, rng_below(&r, 512), rng_below(&r, 512)), fx,
			     PTE_W);
		KT_ASSERT(err == VM_EEXIST, "vm_map inside a 1 GiB page returned %d, not VM_EEXIST",
			  err);
		err = vm_map(pml4, make_va(SLOT_HUGE, i2, j, rng_below(&r, 512)), fx, PTE_W);
		KT_ASSERT(err == VM_EEXIST, "vm_map inside a 2 MiB page returned %d, not VM_EEXIST",
			  err);
		frame_free(fx);
	}

	report("unmapped0", (uint64_t)boot_stack_guard + rng_below(&r, 4096));
	report("unmapped1", (uint64_t)double_fault_stack_guard + rng_below(&r, 4096));
	report("unmapped2", rng_below(&r, 4096));
	report("unmapped3", (uint64_t)__kernel_end + rng_below(&r, 4096));
	report("unmapped4", random_page(&r, 1 + rng_below(&r, 254)) + rng_below(&r, 4096));
	/* Non-canonical: the low 48 bits of mapped addresses, with the sign extension broken. */
	report("noncanon0", (DIRECT_MAP_BASE + rng_below(&r, PAGE_1G)) & ~(1ull << 63));
	report("noncanon1", (uint64_t)__text_start ^ (1ull << (48 + rng_below(&r, 15))));
	report("noncanon2", 0x0000800000000000ull);
	report("noncanon3", 0xffff7fffffffffffull);

	/* A page mapped just now, in PML4 slot 255 (lab6.map uses slots 1..254 and 257..509). */
	{
		uint64_t va = random_page(&r, SLOT_FRESH);
		paddr_t f = frame_alloc();
		int err;

		KT_ASSERT(f != 0, "frame_alloc returned 0");
		err = vm_map(pml4, va, f, PTE_W | PTE_NX);
		KT_ASSERT(err == 0, "vm_map(%#lx) returned %d", (unsigned long)va, err);
		report("fresh0", va + rng_below(&r, 4096));
		report("fresh1", va + 4095);
	}
}

/* Fill the page at va with pattern + i in word i. */
static void fill(uint64_t va, uint64_t pattern)
{
	volatile uint64_t *p = (volatile uint64_t *)va;

	for (uint64_t i = 0; i < PAGE_SIZE / 8; i++)
		p[i] = pattern + i;
}

/*
 * vm_map and vm_unmap. Draws, in order: va1 (a random page in a lower-half slot 1..254), va2 (the
 * last page of a higher-half slot 257..509), va3 (a random page in another lower-half slot), the
 * pattern. va1 (W U G NX) and va2 (W) stay mapped for the grader; va3 is mapped, unmapped, mapped
 * to another frame and unmapped again, so that its tables must be gone.
 */
KTEST(lab6, map)
{
	struct rng r = ktest_rng();
	pte_t *pml4 = vm_current();
	uint64_t slot1 = 1 + rng_below(&r, 254);
	uint64_t va1 = random_page(&r, slot1);
	uint64_t va2 = make_va(257 + rng_below(&r, 253), 511, 511, 511);
	uint64_t slot3 = 1 + (slot1 + rng_below(&r, 253)) % 254;
	uint64_t va3 = random_page(&r, slot3);
	uint64_t pattern = rng_next(&r);
	uint64_t va3b = (va3 & ~(0x1ffull << 12)) | ((PT_INDEX(va3) + 1 + rng_below(&r, 511)) % 512)
							    << 12;
	uint64_t used = frame_used_count();
	paddr_t f1, f2, f3, f4, f5, fx, junk[JUNK_FRAMES];
	int err;

	ktest_value("va1", "%016lx", (unsigned long)va1);
	ktest_value("va2", "%016lx", (unsigned long)va2);
	ktest_value("va3", "%016lx", (unsigned long)va3);
	ktest_value("pattern", "%016lx", (unsigned long)pattern);
	KT_ASSERT(pml4[slot1] == 0 && pml4[slot3] == 0 && pml4[PML4_INDEX(va2)] == 0,
		  "the test's PML4 slots are in use already");
	/* Junk in the next frames frame_alloc returns: page tables must be zeroed by vm_map. */
	for (int i = 0; i < JUNK_FRAMES; i++) {
		junk[i] = frame_alloc();
		KT_ASSERT(junk[i] != 0, "frame_alloc returned 0");
		for (int k = 0; k < VM_ENTRIES; k++)
			((volatile pte_t *)phys_to_virt(junk[i]))[k] = JUNK;
	}
	for (int i = 0; i < JUNK_FRAMES; i++)
		frame_free(junk[i]);
	f1 = frame_alloc();
	f2 = frame_alloc();
	KT_ASSERT(f1 && f2, "frame_alloc returned 0 with %lu frames free",
		  (unsigned long)frame_free_count());
	err = vm_map(pml4, va1, f1, PTE_W | PTE_U | PTE_G | PTE_NX);
	KT_ASSERT(err == 0, "vm_map(%#lx, %#lx, W U G NX) returned %d", (unsigned long)va1,
		  (unsigned long)f1, err);
	err = vm_map(pml4, va2, f2, PTE_W);
	KT_ASSERT(err == 0, "vm_map(%#lx, %#lx, W) returned %d", (unsigned long)va2,
		  (unsigned long)f2, err);
	KT_ASSERT(
		frame_used_count() == used + 8,
		"two pages in new PML4 slots should use 8 frames (2 pages, 6 tables); %lu are used",
		(unsigned long)(frame_used_count() - used));
	fill(va1, pattern);
	fill(va2, ~pattern);
	ktest_value("f1", "%016lx", (unsigned long)f1);
	ktest_value("f2", "%016lx", (unsigned long)f2);
	KT_ASSERT(vm_translate(pml4, va1 + 0x123) == f1 + 0x123,
		  "vm_translate(va1 + 0x123) is %#lx",
		  (unsigned long)vm_translate(pml4, va1 + 0x123));
	for (int bit = 12; bit <= 30; bit += 9) {
		KT_ASSERT(vm_translate(pml4, va1 ^ (1ull << bit)) == VM_UNMAPPED &&
				  vm_translate(pml4, va2 ^ (1ull << bit)) == VM_UNMAPPED,
			  "a neighbour of va1 or va2 (address bit %d flipped) translates: are new "
			  "tables zeroed?",
			  bit);
	}

	/* Errors change nothing. */
	fx = frame_alloc();
	KT_ASSERT(fx != 0, "frame_alloc returned 0");
	err = vm_map(pml4, va1, fx, PTE_W);
	KT_ASSERT(err == VM_EEXIST, "vm_map over a mapped page returned %d, not VM_EEXIST", err);
	err = vm_map(pml4, DIRECT_MAP_BASE + PAGE_SIZE * (1 + rng_below(&r, 511)), fx, PTE_W);
	KT_ASSERT(err == VM_EEXIST,
		  "vm_map inside a direct-map huge page returned %d, not VM_EEXIST", err);
	err = vm_map(pml4, va3 + 8 * (1 + rng_below(&r, 511)), fx, PTE_W);
	KT_ASSERT(err == VM_EINVAL, "vm_map at a misaligned address returned %d", err);
	err = vm_map(pml4, va3 ^ (1ull << 47), fx, PTE_W);
	KT_ASSERT(err == VM_EINVAL, "vm_map at a non-canonical address returned %d", err);
	err = vm_map(pml4, va3, fx | 0x800, PTE_W);
	KT_ASSERT(err == VM_EINVAL, "vm_map of a misaligned frame returned %d", err);
	err = vm_map(pml4, va3, 1ull << 52, PTE_W);
	KT_ASSERT(err == VM_EINVAL, "vm_map of a frame at 2^52 returned %d", err);
	err = vm_unmap(pml4, va1 + 8 * (1 + rng_below(&r, 511)));
	KT_ASSERT(err == VM_EINVAL, "vm_unmap of a misaligned address returned %d", err);
	err = vm_unmap(pml4, va1 ^ (1ull << 47));
	KT_ASSERT(err == VM_EINVAL, "vm_unmap of a non-canonical address returned %d", err);
	err = vm_map(pml4, va3, fx, PTE_W | PTE_PS);
	KT_ASSERT(err == VM_EINVAL, "vm_map with PTE_PS in flags returned %d", err);
	KT_ASSERT(pml4[slot3] == 0, "a failed vm_map left a table in PML4 slot %lu",
		  (unsigned long)slot3);
	KT_ASSERT(vm_translate(pml4, va1) == f1, "after a refused vm_map, va1 maps %#lx, not %#lx",
		  (unsigned long)vm_translate(pml4, va1), (unsigned long)f1);
	frame_free(fx);

	/* Map, use, unmap; map another frame at the same address: the TLB must not remember. */
	f3 = frame_alloc();
	f4 = frame_alloc();
	f5 = frame_alloc();
	KT_ASSERT(f3 && f4 && f5, "frame_alloc returned 0");
	used = frame_used_count();
	*(volatile uint64_t *)phys_to_virt(f4) = ~pattern;
	err = vm_map(pml4, va3, f3, PTE_W | PTE_NX);
	KT_ASSERT(err == 0, "vm_map(va3) returned %d", err);
	err = vm_map(pml4, va3b, f5, PTE_W | PTE_NX);
	KT_ASSERT(err == 0, "vm_map(va3b, in va3's page table) returned %d", err);
	*(volatile uint64_t *)va3 = pattern;
	*(volatile uint64_t *)va3b = pattern + 1;
	KT_ASSERT(*(volatile uint64_t *)va3 == pattern, "va3 does not read back what was written");
	err = vm_unmap(pml4, va3);
	KT_ASSERT(err == 0, "vm_unmap(va3) returned %d", err);
	KT_ASSERT(vm_translate(pml4, va3) == VM_UNMAPPED, "va3 still translates after vm_unmap");
	KT_ASSERT(vm_translate(pml4, va3b) == f5 && *(volatile uint64_t *)va3b == pattern + 1,
		  "unmapping va3 broke va3b, mapped in the same page table");
	KT_ASSERT(frame_used_count() == used + 3,
		  "with va3b still mapped, its 3 tables must stay; %ld frames more than before "
		  "are used",
		  (long)(frame_used_count() - used));
	err = vm_unmap(pml4, va3);
	KT_ASSERT(err == VM_ENOTMAPPED,
		  "vm_unmap of va3 again (its page table still there, for va3b) returned %d", err);
	err = vm_unmap(pml4, va3b);
	KT_ASSERT(err == 0, "vm_unmap(va3b) returned %d", err);
	KT_ASSERT(frame_used_count() == used,
		  "after vm_unmap, %ld more frames are used than before "
		  "vm_map (the empty tables should be freed)",
		  (long)(frame_used_count() - used));
	KT_ASSERT(pml4[slot3] == 0, "PML4 slot %lu still points at a table after vm_unmap",
		  (unsigned long)slot3);
	err = vm_unmap(pml4, va3);
	KT_ASSERT(err == VM_ENOTMAPPED, "vm_unmap of an unmapped page returned %d", err);
	err = vm_map(pml4, va3, f4, PTE_W | PTE_NX);
	KT_ASSERT(err == 0, "vm_map(va3) again returned %d", err);
	KT_ASSERT(*(volatile uint64_t *)va3 == ~pattern,
		  "va3, now mapped to another frame, still reads the old frame (a stale TLB entry: "
		  "was invlpg called?)");
	err = vm_unmap(pml4, va3);
	KT_ASSERT(err == 0, "vm_unmap(va3) returned %d", err);
	KT_ASSERT(*(volatile uint64_t *)phys_to_virt(f3) == pattern, "frame f3 lost its contents");
	frame_free(f3);
	frame_free(f4);
	frame_free(f5);
	err = vm_unmap(pml4, DIRECT_MAP_BASE + PAGE_SIZE);
	KT_ASSERT(err == VM_EINVAL, "vm_unmap inside a huge page returned %d, not VM_EINVAL", err);

	/* A PML4 of its own, not loaded: unmapping its only page frees the three tables below it,
	 * never the PML4, though it is empty now. */
	{
		paddr_t p4_pa = frame_alloc();
		pte_t *p4;

		KT_ASSERT(p4_pa != 0 && (f3 = frame_alloc()) != 0, "frame_alloc returned 0");
		p4 = phys_to_virt(p4_pa);
		for (int i = 0; i < VM_ENTRIES; i++)
			p4[i] = 0;
		used = frame_used_count();
		err = vm_map(p4, va3, f3, PTE_W | PTE_NX);
		KT_ASSERT(err == 0, "vm_map(va3) in a fresh PML4 returned %d", err);
		KT_ASSERT(frame_used_count() == used + 3 && vm_translate(p4, va3) == f3,
			  "vm_map(va3) in a fresh PML4: %ld tables, va3 translates to %#lx",
			  (long)(frame_used_count() - used), (unsigned long)vm_translate(p4, va3));
		err = vm_unmap(p4, va3);
		KT_ASSERT(err == 0, "vm_unmap(va3) in a fresh PML4 returned %d", err);
		KT_ASSERT(frame_used_count() == used && p4[PML4_INDEX(va3)] == 0,
			  "after vm_unmap in a fresh PML4, %ld frames more than before are used and "
			  "its entry is %#lx (the three tables freed, never the PML4)",
			  (long)(frame_used_count() - used), (unsigned long)p4[PML4_INDEX(va3)]);
		frame_free(f3);
		frame_free(p4_pa);
	}
}

/* A random page in a lower-half slot, for the fault tests. */
static uint64_t fault_page(struct rng *r)
{
	return random_page(r, 1 + rng_below(r, 254));
}

/* Map a fresh frame at a random page, write and read it, unmap it, read it again: #PF. */
KTEST_SHOULD_PANIC(lab6, unmap_fault)
{
	struct rng r = ktest_rng();
	uint64_t va = fault_page(&r);
	paddr_t f = frame_alloc();

	ktest_value("target", "%016lx", (unsigned long)va);
	KT_ASSERT(vm_map(vm_current(), va, f, PTE_W | PTE_NX) == 0, "vm_map failed");
	*(volatile uint64_t *)va = 0x600d;
	KT_ASSERT(*(volatile uint64_t *)va == 0x600d, "the mapped page does not read back");
	KT_ASSERT(vm_unmap(vm_current(), va) == 0, "vm_unmap failed");
	ktest_expect_panic("unhandled exception #PF");
	(void)*(volatile uint64_t *)va;
	ktest_fail("reading the page after vm_unmap did not fault (a stale TLB entry?)");
}

KTEST_SHOULD_PANIC(lab6, write_text)
{
	struct rng r = ktest_rng();
	uint64_t target = in_range(&r, __text_start, __rodata_start);

	ktest_value("target", "%016lx", (unsigned long)target);
	ktest_expect_panic("unhandled exception #PF");
	*(volatile uint8_t *)target = 0xcc;
	ktest_fail("writing to kernel text did not fault");
}

KTEST_SHOULD_PANIC(lab6, write_rodata)
{
	struct rng r = ktest_rng();
	uint64_t target = in_range(&r, __rodata_start, __data_start);

	ktest_value("target", "%016lx", (unsigned long)target);
	ktest_expect_panic("unhandled exception #PF");
	*(volatile uint8_t *)target = 0;
	ktest_fail("writing to rodata did not fault");
}

KTEST_SHOULD_PANIC(lab6, exec_data)
{
	struct rng r = ktest_rng();
	uint64_t target = (uint64_t)lab6_data_page + rng_below(&r, 4096);

	ktest_value("target", "%016lx", (unsigned long)target);
	ktest_expect_panic("unhandled exception #PF");
	((void (*)(void))target)();
	ktest_fail("executing .data did not fault");
}

KTEST_SHOULD_PANIC(lab6, null_deref)
{
	struct rng r = ktest_rng();
	uint64_t target = rng_below(&r, 4096) & ~7ull;

	ktest_value("target", "%016lx", (unsigned long)target);
	ktest_expect_panic("unhandled exception #PF");
	(void)*(volatile uint64_t *)target;
	ktest_fail("reading near NULL did not fault");
}

KTEST_SHOULD_PANIC(lab6, write_readonly)
{
	struct rng r = ktest_rng();
	uint64_t va = fault_page(&r);
	uint64_t target = va + (rng_below(&r, 4096) & ~7ull);
	paddr_t f = frame_alloc();

	ktest_value("target", "%016lx", (unsigned long)target);
	KT_ASSERT(vm_map(vm_current(), va, f, PTE_NX) == 0, "vm_map failed");
	KT_ASSERT(*(volatile uint64_t *)target ==
			  *(volatile uint64_t *)phys_to_virt(f + target - va),
		  "the read-only page does not show its frame");
	ktest_expect_panic("unhandled exception #PF");
	*(volatile uint64_t *)target = 1;
	ktest_fail("writing through a read-only mapping did not fault");
}

/* ---- lab6.regions: frame_usable_regions on memory maps drawn at random. ---- */

#define REGION_ROUNDS 12

/* Append " <start> <end>" for each range to buf. */
static int print_ranges(char *buf, int at, int size, const struct phys_range *r, size_t n)
{
	for (size_t i = 0; i < n && at < size; i++)
		at += ksnprintf(buf + at, (size_t)(size - at), " %lx %lx",
				(unsigned long)r[i].start, (unsigned long)r[i].end);
	return at;
}

/*
 * Round 0 is fixed: an available range across 1 MiB with an unaligned end, one across
 * FRAME_MAX_PHYS, two that overlap, reserved ranges that end exactly on a frame boundary, that
 * reach one byte into each of two frames, that cover a single byte. The others are drawn: up to 5
 * available ranges anywhere below 18 GiB, unaligned, and up to 4 reserved ones inside them. The
 * kernel prints each round's input ("in<k>": "a" then "r" ranges) and the output ("out<k>"); the
 * grader recomputes the usable frames from the input.
 */
KTEST(lab6, regions)
{
	struct rng r = ktest_rng();
	static struct phys_range out[FRAME_MAX_REGIONS];
	static char buf[4096];

	for (int round = 0; round < REGION_ROUNDS; round++) {
		struct phys_range avail[6], reserved[5];
		size_t na = 0, nr = 0, n;
		char key[16];
		int at;

		if (round == 0) {
			avail[na++] = (struct phys_range){ 0x1234, 0x301801 };
			avail[na++] = (struct phys_range){ FRAME_MAX_PHYS - 0x3000 + 5,
							   FRAME_MAX_PHYS + 0x5000 };
			avail[na++] = (struct phys_range){ 0x500000, 0x600000 };
			avail[na++] = (struct phys_range){ 0x580123, 0x700fff };
			reserved[nr++] = (struct phys_range){ 0x520000, 0x521000 };
			reserved[nr++] = (struct phys_range){ 0x540fff, 0x541001 };
			reserved[nr++] = (struct phys_range){ 0x2ff000, 0x2ff001 };
		} else {
			na = 1 + rng_below(&r, 5);
			for (size_t i = 0; i < na; i++) {
				paddr_t start = rng_below(&r, 18 * PAGE_1G);
				paddr_t len = rng_below(&r, 2) ? rng_below(&r, 64ull << 20) :
								 rng_below(&r, 3 * FRAME_SIZE);

				avail[i] = (struct phys_range){ start, start + len };
			}
			nr = rng_below(&r, 5);
			for (size_t i = 0; i < nr; i++) {
				const struct phys_range *a = &avail[rng_below(&r, na)];
				paddr_t start = a->start + rng_below(&r, a->end - a->start + 1);
				paddr_t len = rng_below(&r, 2) ? 1 + rng_below(&r, 3 * FRAME_SIZE) :
								 rng_below(&r, 1ull << 20);

				reserved[i] = (struct phys_range){ start, start + len };
			}
		}
		n = frame_usable_regions(avail, na, reserved, nr, out, FRAME_MAX_REGIONS);
		ksnprintf(key, sizeof(key), "in%d", round);
		at = ksnprintf(buf, sizeof(buf), "a");
		at = print_ranges(buf, at, sizeof(buf), avail, na);
		at += ksnprintf(buf + at, sizeof(buf) - (size_t)at, " r");
		print_ranges(buf, at, sizeof(buf), reserved, nr);
		ktest_value(key, "%s", buf);
		ksnprintf(key, sizeof(key), "out%d", round);
		at = ksnprintf(buf, sizeof(buf), "%lu", (unsigned long)n);
		print_ranges(buf, at, sizeof(buf), out, n);
		ktest_value(key, "%s", buf);
		/* Exactly as many ranges as it needs are enough. */
		KT_ASSERT(n == 0 || frame_usable_regions(avail, na, reserved, nr, out, n) == n,
			  "round %d: frame_usable_regions with max %lu, what it needs, did not return "
			  "%lu",
			  round, (unsigned long)n, (unsigned long)n);
	}
}

/* k + 1 available frames above 1 MiB with every other frame reserved: k + 1 usable ranges
 * (k drawn, 1..62), given room for k: frame_usable_regions must panic. */
KTEST_SHOULD_PANIC(lab6, regions_overflow)
{
	struct rng r = ktest_rng();
	static struct phys_range out[FRAME_MAX_REGIONS], reserved[FRAME_MAX_REGIONS];
	size_t k = 1 + rng_below(&r, 62), n;
	paddr_t base = FRAME_MIN_PHYS + FRAME_SIZE * rng_below(&r, 4096);
	struct phys_range avail = { base, base + FRAME_SIZE * (2 * k + 1) };

	for (size_t i = 0; i < k; i++)
		reserved[i] = (struct phys_range){ base + FRAME_SIZE * (2 * i + 1),
						   base + FRAME_SIZE * (2 * i + 2) };
	ktest_value("k", "%lu", (unsigned long)k);
	KT_ASSERT(frame_usable_regions(&avail, 1, reserved, k, out, k + 1) == k + 1,
		  "frame_usable_regions did not return the %lu ranges", (unsigned long)(k + 1));
	ktest_expect_panic("frame_usable_regions: ");
	n = frame_usable_regions(&avail, 1, reserved, k, out, k);
	ktest_fail("frame_usable_regions needing %lu ranges with room for %lu returned %lu",
		   (unsigned long)(k + 1), (unsigned long)k, (unsigned long)n);
}

/* ---- lab6.frames: every frame, exactly once, twice. ---- */

#define RUNS_MAX 64

struct run {
	paddr_t first, last; /* the first and last frame handed out, in order */
	int64_t step;        /* +4096 or -4096 (0 for a run of one frame) */
};

static struct run runs[RUNS_MAX];

/* Allocate until frame_alloc returns 0, as runs of consecutive frames; the count, or -1. */
static int64_t exhaust(int *nruns, const char *pass)
{
	int64_t n = 0;
	paddr_t pa;

	*nruns = 0;
	while ((pa = frame_alloc()) != 0) {
		struct run *cur = *nruns ? &runs[*nruns - 1] : NULL;

		if (cur && (cur->step == 0 || (int64_t)(pa - cur->last) == cur->step) &&
		    (pa - cur->last == FRAME_SIZE || cur->last - pa == FRAME_SIZE)) {
			cur->step = (int64_t)(pa - cur->last);
			cur->last = pa;
		} else if (*nruns == RUNS_MAX) {
			ktest_fail("pass %s: frame_alloc's frames make more than %d runs", pass,
				   RUNS_MAX);
			return -1;
		} else {
			runs[(*nruns)++] = (struct run){ pa, pa, 0 };
		}
		if (++n % 262144 == 0)
			ktest_printf("lab6.frames: %s: %ld frames\n", pass, (long)n);
	}
	for (int i = 0; i < *nruns; i++) {
		char key[16];

		ksnprintf(key, sizeof(key), "run%s.%d", pass, i);
		ktest_value(key, "%016lx %016lx", (unsigned long)runs[i].first,
			    (unsigned long)runs[i].last);
	}
	return n;
}

/* Free the frames of runs[0..nruns), each run from its first frame to its last, stopping after
 * limit frames; the number freed. */
static uint64_t free_runs(int nruns, uint64_t limit)
{
	uint64_t n = 0;

	for (int i = 0; i < nruns && n < limit; i++) {
		int64_t step = runs[i].step ? runs[i].step : FRAME_SIZE;

		for (paddr_t f = runs[i].first; n < limit; f += (paddr_t)step) {
			frame_free(f);
			n++;
			if (f == runs[i].last)
				break;
		}
	}
	return n;
}

/*
 * Pass 1 allocates until frame_alloc returns 0 and prints the frames as runs; the first
 * frames_refill= frames of it (all of them by default) are freed, in the order they were
 * handed out, and pass 2 allocates until 0 again: it must return exactly those. Freeing writes
 * to every frame freed (the free list lives in them), which QEMU makes slow for gigabytes, so
 * the grader's large-memory boots refill only part of memory.
 */
KTEST_ALONE(lab6, frames)
{
	struct rng r = ktest_rng();
	uint64_t free0 = frame_free_count(), used0 = frame_used_count();
	uint64_t limit = ~0ull, k;
	size_t len;
	const char *v = cmdline_value(boot_info.cmdline, "frames_refill", &len);
	int nruns;
	int64_t n;

	if (v) {
		limit = 0;
		for (size_t i = 0; i < len && v[i] >= '0' && v[i] <= '9'; i++)
			limit = limit * 10 + (uint64_t)(v[i] - '0');
	}
	ktest_value("counts", "%lu %lu", (unsigned long)free0, (unsigned long)used0);
	n = exhaust(&nruns, "1");
	if (n < 0)
		return;
	KT_ASSERT((uint64_t)n == free0, "pass 1: %ld frames allocated, but %lu were free", (long)n,
		  (unsigned long)free0);
	KT_ASSERT(frame_free_count() == 0 && frame_used_count() == used0 + free0,
		  "pass 1: exhausted, the counts say %lu free and %lu used",
		  (unsigned long)frame_free_count(), (unsigned long)frame_used_count());
	{
		uint64_t va = make_va(1 + rng_below(&r, 254), 0, 0, 0);
		int err = vm_map(vm_current(), va, runs[0].first, PTE_W | PTE_NX);

		KT_ASSERT(err == VM_ENOMEM && vm_current()[PML4_INDEX(va)] == 0,
			  "with no frame free, vm_map of %#lx (needing new tables) returned %d and "
			  "PML4 entry %lu is %#lx; expected VM_ENOMEM and 0",
			  (unsigned long)va, err, (unsigned long)PML4_INDEX(va),
			  (unsigned long)vm_current()[PML4_INDEX(va)]);
	}
	k = free_runs(nruns, limit);
	ktest_value("refill", "%lu", (unsigned long)k);
	KT_ASSERT(frame_free_count() == k && frame_used_count() == used0 + free0 - k,
		  "%lu frames freed, the counts say %lu free and %lu used", (unsigned long)k,
		  (unsigned long)frame_free_count(), (unsigned long)frame_used_count());
	n = exhaust(&nruns, "2");
	if (n < 0)
		return;
	KT_ASSERT((uint64_t)n == k, "pass 2: %ld frames allocated after %lu were freed", (long)n,
		  (unsigned long)k);
	KT_ASSERT(frame_free_count() == 0, "pass 2: exhausted, the count says %lu free",
		  (unsigned long)frame_free_count());
	free_runs(nruns, ~0ull);
	KT_ASSERT(frame_free_count() == k, "pass 2: %lu frames freed, the count says %lu free",
		  (unsigned long)k, (unsigned long)frame_free_count());
}

KTEST_SHOULD_PANIC(lab6, double_free)
{
	paddr_t f = frame_alloc();
	uint64_t free0 = frame_free_count();

	ktest_value("frame", "%016lx", (unsigned long)f);
	frame_free(f);
	KT_ASSERT(frame_free_count() == free0 + 1, "frame_free did not count the frame free");
	ktest_expect_panic("frame_free: double free");
	frame_free(f);
	ktest_fail("freeing frame %#lx twice did not panic", (unsigned long)f);
}

/* Free an allocated frame's address plus a drawn multiple of 8: not 4 KiB-aligned. */
KTEST_SHOULD_PANIC(lab6, unaligned_free)
{
	struct rng r = ktest_rng();
	paddr_t f = frame_alloc();

	KT_ASSERT(f != 0, "frame_alloc returned 0");
	f += 8 * (1 + rng_below(&r, 511));
	ktest_value("frame", "%016lx", (unsigned long)f);
	ktest_expect_panic("frame_free: not a frame the allocator manages");
	frame_free(f);
	ktest_fail("freeing the unaligned address %#lx did not panic", (unsigned long)f);
}

/* Free a frame of the kernel image (drawn), which frame_alloc can never have returned. */
KTEST_SHOULD_PANIC(lab6, foreign_free)
{
	struct rng r = ktest_rng();
	paddr_t f = virt_to_phys((void *)(in_range(&r, __text_start, __kernel_end) & ~0xfffull));

	ktest_value("frame", "%016lx", (unsigned long)f);
	ktest_expect_panic("frame_free: not a frame the allocator manages");
	frame_free(f);
	ktest_fail("freeing kernel frame %#lx did not panic", (unsigned long)f);
}

/*
 * Free a frame in a hole of the memory map between two available ranges (with -m 6G, just above
 * the first one: the hole below 4 GiB), which lies between usable frames without being one. With
 * no such hole, the frame holding the start of the boot information.
 */
KTEST_SHOULD_PANIC(lab6, foreign_free_hole)
{
	paddr_t f = boot_info.info_start & ~0xfffull, best = ~0ull;

	for (size_t i = 0; i < boot_info.mmap_count; i++) {
		const struct mb2_mmap_entry *e = (const void *)((const uint8_t *)boot_info.mmap +
								i * boot_info.mmap_entry_size);
		paddr_t end = (e->base + e->length + 0xfff) & ~0xfffull;

		if (e->type != MB2_MEMORY_AVAILABLE || end <= FRAME_MIN_PHYS || end >= best)
			continue;
		for (size_t j = 0; j < boot_info.mmap_count; j++) {
			const struct mb2_mmap_entry *n =
				(const void *)((const uint8_t *)boot_info.mmap +
					       j * boot_info.mmap_entry_size);

			if (n->type == MB2_MEMORY_AVAILABLE && n->base >= end + FRAME_SIZE &&
			    n->base + n->length <= FRAME_MAX_PHYS)
				best = end;
		}
	}
	if (best != ~0ull)
		f = best;
	ktest_value("frame", "%016lx", (unsigned long)f);
	ktest_expect_panic("frame_free: not a frame the allocator manages");
	frame_free(f);
	ktest_fail("freeing frame %#lx, which no available range holds, did not panic",
		   (unsigned long)f);
}

/* make lab-6's demo: the memory map, the frame counts, a few translations. */
KTEST_ALONE(lab6, demo)
{
	kprintf("memory map (Multiboot2, from GRUB):\n");
	for (size_t i = 0; i < boot_info.mmap_count; i++) {
		const struct mb2_mmap_entry *e = (const void *)((const uint8_t *)boot_info.mmap +
								i * boot_info.mmap_entry_size);
		kprintf("  %016lx-%016lx type %u%s\n", (unsigned long)e->base,
			(unsigned long)(e->base + e->length), e->type,
			e->type == MB2_MEMORY_AVAILABLE ? " available" : "");
	}
	kprintf("frames: %lu free, %lu used (4 KiB each); direct map %lu GiB in %s pages\n",
		(unsigned long)frame_free_count(), (unsigned long)frame_used_count(),
		(unsigned long)(direct_map_size >> 30), direct_map_1g ? "1 GiB" : "2 MiB");
	const struct {
		const char *what;
		uint64_t va;
	} show[] = {
		{ "kernel text", (uint64_t)__text_start },
		{ "rodata", (uint64_t)__rodata_start },
		{ "bss", (uint64_t)__bss_start },
		{ "the boot stack's guard", (uint64_t)boot_stack_guard },
		{ "VGA text memory", DIRECT_MAP_BASE + 0xb8000 },
		{ "NULL", 0 },
		{ "non-canonical", 0x0000800000000000ull },
	};
	for (size_t i = 0; i < sizeof(show) / sizeof(show[0]); i++) {
		paddr_t pa = vm_translate(vm_current(), show[i].va);

		if (pa == VM_UNMAPPED)
			kprintf("  %016lx -> unmapped          %s\n", (unsigned long)show[i].va,
				show[i].what);
		else
			kprintf("  %016lx -> %016lx  %s\n", (unsigned long)show[i].va,
				(unsigned long)pa, show[i].what);
	}
}
