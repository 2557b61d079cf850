/*
 * gdt.c: the kernel's global descriptor table and task-state segment, and their loading (lab 4).
 *
 * boot.S left the CPU running on a three-entry GDT in .boot.data, enough for long mode but
 * without a TSS, so the CPU had nowhere to find a second stack. gdt_init() builds the kernel's
 * own table here, in five 8-byte slots:
 *
 *   selector  slot  descriptor
 *   0x00      0     null (the CPU never reads it; selector 0 means "no segment")
 *   0x08      1     kernel code: 64-bit (L = 1), DPL 0           KERNEL_CS, as before
 *   0x10      2     kernel data: writable, DPL 0                 KERNEL_DS, as before
 *   0x18      3, 4  the TSS: a 16-byte system descriptor         GDT_TSS
 *
 * The selectors do not change, so the IDT gates (KERNEL_CS) stay valid. The descriptors come from
 * your encoders (gdt_desc.c), the TSS from tss_init.c; gdt_init() checks what the encoders
 * returned before loading anything, because a wrong code descriptor does not fail politely: the
 * next exception cannot load its handler's code segment and the machine resets. Then gdt_load()
 * (gdt_load.S) installs the table and reloads every segment register, ltr loads the task register,
 * and idt_set_ist() (idt_ist.c) moves the double-fault gate onto IST slot 1.
 */
#include "gdt.h"
#include "idt.h"
#include "panic.h"
#include "trap.h"
#include "x86.h"

uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
struct tss tss __attribute__((aligned(16)));

_Static_assert(sizeof(gdt) == 40, "five 8-byte slots");
_Static_assert(KERNEL_CS == GDT_KCODE_INDEX << 3, "the kernel code selector stays 0x08");
_Static_assert(KERNEL_DS == GDT_KDATA_INDEX << 3, "the kernel data selector stays 0x10");

/* Take a code or data descriptor apart (SDM Vol. 3A §3.4.5), to say what an encoder got wrong. */
static void check_segment(const char *what, uint64_t desc, uint32_t base, uint32_t limit,
			  uint8_t access, uint8_t flags)
{
	uint32_t got_base = (uint32_t)((desc >> 16) & 0xffffff) | (uint32_t)(desc >> 56) << 24;
	uint32_t got_limit = (uint32_t)(desc & 0xffff) | (uint32_t)((desc >> 48) & 0xf) << 16;
	uint8_t got_access = (uint8_t)(desc >> 40);
	uint8_t got_flags = (uint8_t)((desc >> 52) & 0xf);

	if (got_base != base || got_limit != limit || got_access != access || got_flags != flags)
		panic("gdt_init: %s is 0x%016lx, which reads as base 0x%x limit 0x%x "
		      "access 0x%02x flags 0x%x, but base 0x%x limit 0x%x access 0x%02x flags 0x%x "
		      "were asked for",
		      what, (unsigned long)desc, got_base, got_limit, got_access, got_flags, base,
		      limit, access, flags);
}

void gdt_init(void)
{
	struct descriptor_ptr gdtr;
	uint32_t tss_limit = sizeof(tss) - 1; /* a limit is the offset of the last byte */

	/* Base 0, limit 4 GiB: in 64-bit mode the CPU ignores both for code and data, but the
	 * descriptors then also make sense to tools that read them with 32-bit eyes. */
	gdt[GDT_NULL_INDEX] = 0;
	gdt[GDT_KCODE_INDEX] = gdt_segment(0, 0xfffff, KCODE_ACCESS, KCODE_FLAGS);
	gdt[GDT_KDATA_INDEX] = gdt_segment(0, 0xfffff, KDATA_ACCESS, KDATA_FLAGS);
	check_segment("the kernel code descriptor", gdt[GDT_KCODE_INDEX], 0, 0xfffff, KCODE_ACCESS,
		      KCODE_FLAGS);
	check_segment("the kernel data descriptor", gdt[GDT_KDATA_INDEX], 0, 0xfffff, KDATA_ACCESS,
		      KDATA_FLAGS);

	tss_init(&tss, (uint64_t)double_fault_stack_top);
	gdt_system(&gdt[GDT_TSS_INDEX], (uint64_t)&tss, tss_limit, TSS_ACCESS);
	check_segment("the TSS descriptor (bytes 0..7)", gdt[GDT_TSS_INDEX],
		      (uint32_t)(uint64_t)&tss, tss_limit, TSS_ACCESS, 0);
	if (gdt[GDT_TSS_INDEX + 1] != (uint64_t)&tss >> 32)
		panic("gdt_init: bytes 8..15 of the TSS descriptor are 0x%016lx, expected 0x%016lx "
		      "(base bits 32..63, then 32 reserved zero bits)",
		      (unsigned long)gdt[GDT_TSS_INDEX + 1], (unsigned long)((uint64_t)&tss >> 32));

	gdtr.limit = sizeof(gdt) - 1;
	gdtr.base = (uint64_t)gdt;
	gdt_load(&gdtr, KERNEL_CS, KERNEL_DS); /* CS, DS, ES, SS, FS, GS now come from our table */

	/* ltr reads slot 3 (and 4), checks that it describes an available TSS, caches base and
	 * limit in TR, and marks the descriptor busy in memory: its type becomes SYS_TSS_BUSY. */
	ltr(GDT_TSS);

	idt_set_ist(TRAP_DF, IST_DOUBLE_FAULT); /* from now on a double fault gets a fresh stack */
}
