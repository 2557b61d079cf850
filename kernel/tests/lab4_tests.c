/*
 * lab4_tests.c: in-kernel tests for lab 4 (the GDT, the TSS and double faults).
 *
 * lab4.gdt returns normally. It checks what the CPU was given (GDTR, TR, the segment registers)
 * and what the tables hold, then calls each of your three functions on random inputs, over junk,
 * and compares every bit with what the test computes in its own way. The grader, booting it with
 * `hold`, also reads GDTR, TR and the TSS out of the machine through QMP.
 *
 * lab4.stack_overflow and lab4.df_not_present are should-panic tests, run alone: each causes a
 * double fault, one by overflowing the boot stack into its guard page, one by making the #GP gate
 * not present and then raising #GP. The kernel passes them when the double fault reaches the
 * handler and it panics; the grader reads the DOUBLE FAULT and EXCEPTION lines to check that it
 * was a double fault, handled on the IST stack. lab4.no_ist (0 points, alone) turns the IST off
 * for the double-fault gate and overflows again: the machine must reset, a triple fault.
 *
 * Random inputs come from ktest_rng() and are printed with ktest_value(); the order of the draws
 * below is part of the contract with the grader.
 */
#include <stdint.h>

#include "gdt.h"
#include "idt.h"
#include "kprintf.h"
#include "ktest.h"
#include "trap.h"
#include "x86.h"

/* The boot stack and its unmapped guard page (boot.S). */
extern uint8_t boot_stack_guard[], boot_stack_bottom[], boot_stack_top[];

#define ACCESSED_BIT (1ull << 40) /* the CPU sets it in memory when it loads a descriptor */

/* The same encoding as gdt_desc.c's, built another way: byte by byte, from the lowest. */
static uint64_t expect_segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	uint8_t b[8] = {
		(uint8_t)limit,
		(uint8_t)(limit >> 8),
		(uint8_t)base,
		(uint8_t)(base >> 8),
		(uint8_t)(base >> 16),
		access,
		(uint8_t)(((limit >> 16) & 0x0f) | (flags & 0x0f) << 4),
		(uint8_t)(base >> 24),
	};
	uint64_t d = 0;

	for (int i = 7; i >= 0; i--)
		d = d << 8 | b[i];
	return d;
}

static uint64_t gate_handler(const struct idt_gate *g)
{
	return (uint64_t)g->offset_low | (uint64_t)g->offset_mid << 16 |
	       (uint64_t)g->offset_high << 32;
}

/* The tables as loaded: registers, descriptors, the TSS and the double-fault gate. */
static void check_tables(void)
{
	struct descriptor_ptr gdtr;
	uint64_t tss_base = (uint64_t)&tss;
	uint64_t bottom = (uint64_t)double_fault_stack_bottom;
	uint64_t top = (uint64_t)double_fault_stack_top;
	uint16_t tr = str();
	const struct idt_gate *df = &idt[TRAP_DF];

	sgdt(&gdtr);
	ktest_value("gdtr", "base %016lx limit %u", (unsigned long)gdtr.base, gdtr.limit);
	ktest_value("tr", "0x%04x", tr);
	ktest_value("segments", "cs 0x%04x ss 0x%04x ds 0x%04x", read_cs(), read_ss(), read_ds());
	ktest_value("gdt", "%016lx %016lx %016lx %016lx %016lx", (unsigned long)gdt[0],
		    (unsigned long)gdt[1], (unsigned long)gdt[2], (unsigned long)gdt[3],
		    (unsigned long)gdt[4]);
	ktest_value("tss", "base %016lx ist1 %016lx iomap %u", (unsigned long)tss_base,
		    (unsigned long)tss.ist[0], tss.iomap_base);
	ktest_value("df_stack", "%016lx %016lx", (unsigned long)bottom, (unsigned long)top);
	ktest_value("df_gate", "ist %u", df->ist);

	KT_ASSERT(gdtr.base == (uint64_t)gdt && gdtr.limit == sizeof(gdt) - 1,
		  "GDTR holds base 0x%lx limit %u, expected &gdt = 0x%lx and limit %u",
		  (unsigned long)gdtr.base, gdtr.limit, (unsigned long)gdt,
		  (unsigned)sizeof(gdt) - 1);
	KT_ASSERT(tr == GDT_TSS, "TR holds selector 0x%x, expected 0x%x", tr, GDT_TSS);
	KT_ASSERT(read_cs() == KERNEL_CS && read_ss() == KERNEL_DS && read_ds() == KERNEL_DS,
		  "CS 0x%x SS 0x%x DS 0x%x, expected 0x%x 0x%x 0x%x", read_cs(), read_ss(),
		  read_ds(), KERNEL_CS, KERNEL_DS, KERNEL_DS);

	/* The accessed bit may be set or not; ltr turned the TSS descriptor's type to busy. */
	uint64_t want[GDT_ENTRIES] = {
		0,
		expect_segment(0, 0xfffff, KCODE_ACCESS, KCODE_FLAGS),
		expect_segment(0, 0xfffff, KDATA_ACCESS, KDATA_FLAGS),
		expect_segment((uint32_t)tss_base, sizeof(struct tss) - 1,
			       SEG_PRESENT | SYS_TSS_BUSY, 0),
		tss_base >> 32,
	};
	for (int i = 0; i < GDT_ENTRIES; i++) {
		uint64_t got = i == 1 || i == 2 ? gdt[i] & ~ACCESSED_BIT : gdt[i];

		KT_ASSERT(got == want[i], "GDT slot %d holds 0x%016lx, expected 0x%016lx", i,
			  (unsigned long)gdt[i], (unsigned long)want[i]);
	}

	KT_ASSERT(top - bottom == DOUBLE_FAULT_STACK_SIZE && bottom % 16 == 0 && top % 16 == 0,
		  "the double-fault stack 0x%lx..0x%lx is not %d bytes with 16-byte aligned ends",
		  (unsigned long)bottom, (unsigned long)top, DOUBLE_FAULT_STACK_SIZE);
	KT_ASSERT(tss.ist[0] == top, "TSS IST1 is 0x%lx, expected double_fault_stack_top = 0x%lx",
		  (unsigned long)tss.ist[0], (unsigned long)top);
	KT_ASSERT(tss.iomap_base == sizeof(struct tss), "TSS I/O map base is %u, expected %u",
		  tss.iomap_base, (unsigned)sizeof(struct tss));
	KT_ASSERT(df->ist == IST_DOUBLE_FAULT, "the double-fault gate has IST %u, expected %d",
		  df->ist, IST_DOUBLE_FAULT);
	KT_ASSERT(gate_handler(df) == (uint64_t)trap_vectors[TRAP_DF] &&
			  df->selector == KERNEL_CS && df->type_attr == GATE_INTERRUPT,
		  "the double-fault gate lost its handler, selector or type");
	for (int v = 0; v < TRAP_EXCEPTIONS; v++)
		KT_ASSERT(v == TRAP_DF || idt[v].ist == 0, "gate %d has IST %u, expected 0", v,
			  idt[v].ist);
}

/* gdt_segment() on random inputs, with junk in the bits it must ignore. */
static void check_gdt_segment(struct rng *r)
{
	for (int i = 0; i < 8; i++) {
		uint32_t base = (uint32_t)rng_next(r);
		uint32_t limit = (uint32_t)rng_next(r);
		uint8_t access = (uint8_t)rng_next(r);
		uint8_t flags = (uint8_t)rng_next(r);
		uint64_t got = gdt_segment(base, limit, access, flags);
		uint64_t want = expect_segment(base, limit, access, flags);
		char key[16];

		ksnprintf(key, sizeof(key), "segment%d", i);
		ktest_value(key, "%08x %08x %02x %02x %016lx", base, limit, access, flags,
			    (unsigned long)got);
		KT_ASSERT(
			got == want,
			"gdt_segment(0x%x, 0x%x, 0x%02x, 0x%x) returned 0x%016lx, expected 0x%016lx",
			base, limit, access, flags, (unsigned long)got, (unsigned long)want);
	}
}

/* gdt_system() on random inputs, writing over junk. */
static void check_gdt_system(struct rng *r)
{
	for (int i = 0; i < 4; i++) {
		uint64_t base = rng_next(r);
		uint32_t limit = (uint32_t)rng_below(r, 1u << 20);
		uint8_t access = (uint8_t)rng_next(r);
		volatile uint64_t desc[2] = { ~0ull, ~0ull };
		uint64_t want_lo = expect_segment((uint32_t)base, limit, access, 0);
		uint64_t want_hi = base >> 32;
		char key[16];

		gdt_system((uint64_t *)desc, base, limit, access);
		ksnprintf(key, sizeof(key), "system%d", i);
		ktest_value(key, "%016lx %05x %02x %016lx %016lx", (unsigned long)base, limit,
			    access, (unsigned long)desc[0], (unsigned long)desc[1]);
		KT_ASSERT(desc[0] == want_lo && desc[1] == want_hi,
			  "gdt_system(desc, 0x%016lx, 0x%x, 0x%02x) wrote %016lx %016lx, expected "
			  "%016lx %016lx",
			  (unsigned long)base, limit, access, (unsigned long)desc[0],
			  (unsigned long)desc[1], (unsigned long)want_lo, (unsigned long)want_hi);
	}
}

/* tss_init() on a TSS full of junk: every byte is checked. */
static void check_tss_init(struct rng *r)
{
	struct tss t;
	volatile uint8_t *bytes = (volatile uint8_t *)&t;
	uint64_t top = rng_next(r) & ~0xfull;

	for (unsigned i = 0; i < sizeof(t); i++)
		bytes[i] = (uint8_t)(0xa5 ^ i);
	tss_init(&t, top);
	ktest_value("tss_init", "%016lx", (unsigned long)top);
	for (unsigned i = 0; i < sizeof(t); i++) {
		uint8_t want = 0;

		if (i >= 0x24 && i < 0x2c) /* IST1 */
			want = (uint8_t)(top >> (8 * (i - 0x24)));
		else if (i == 0x66 || i == 0x67) /* the I/O map base: 104 */
			want = (uint8_t)(sizeof(t) >> (8 * (i - 0x66)));
		KT_ASSERT(bytes[i] == want,
			  "after tss_init(t, 0x%016lx) byte 0x%02x of the TSS is 0x%02x, expected "
			  "0x%02x",
			  (unsigned long)top, i, bytes[i], want);
	}
}

/*
 * idt_set_ist() on the unused gate 255, full of junk: only byte 4 may change. Eight rounds,
 * round i with IST i (every value once) plus random junk in the ignored bits 3..7 of the argument.
 */
static void check_idt_set_ist(struct rng *r)
{
	volatile uint64_t *raw = (volatile uint64_t *)&idt[IDT_ENTRIES - 1];

	for (int i = 0; i < 8; i++) {
		uint64_t lo = rng_next(r), hi = rng_next(r);
		uint8_t ist = (uint8_t)((rng_next(r) & 0xf8) | (uint64_t)i);
		uint64_t want_lo = (lo & ~(0xffull << 32)) | (uint64_t)(ist & 0x7) << 32;
		char key[16];

		raw[0] = lo;
		raw[1] = hi;
		idt_set_ist(IDT_ENTRIES - 1, ist);
		uint64_t got_lo = raw[0], got_hi = raw[1];
		raw[0] = 0; /* not present again */
		raw[1] = 0;
		ksnprintf(key, sizeof(key), "ist255_%d", i);
		ktest_value(key, "%016lx %016lx %02x %016lx %016lx", (unsigned long)lo,
			    (unsigned long)hi, ist, (unsigned long)got_lo, (unsigned long)got_hi);
		KT_ASSERT(got_lo == want_lo && got_hi == hi,
			  "idt_set_ist(255, 0x%02x) over %016lx %016lx left %016lx %016lx, expected "
			  "%016lx %016lx (only the low 3 bits of ist count)",
			  ist, (unsigned long)lo, (unsigned long)hi, (unsigned long)got_lo,
			  (unsigned long)got_hi, (unsigned long)want_lo, (unsigned long)hi);
	}
}

/*
 * The random draws, in order: 8 segments (base = (uint32_t)next, limit = (uint32_t)next,
 * access = (uint8_t)next, flags = (uint8_t)next), printed as segment0..segment7; 4 system
 * descriptors (base = next, limit = below(1 << 20), access = (uint8_t)next), system0..system3;
 * the IST1 value for tss_init (next & ~0xf), tss_init; then eight rounds i = 0..7 of gate 255's
 * junk (lo = next, hi = next) and the IST argument ((next & 0xf8) | i), ist255_0..ist255_7.
 */
KTEST(lab4, gdt)
{
	struct rng r = ktest_rng();

	check_tables();
	check_gdt_segment(&r);
	check_gdt_system(&r);
	check_tss_init(&r);
	check_idt_set_ist(&r);
}

/*
 * Recursion without end, one small frame per call (144 bytes with -Og), until the stack runs
 * into its guard page. The compiler must not turn it into a loop: every call writes its own
 * volatile array and reads it back after the inner call returns, so the call is not in tail
 * position and each level needs its own frame (handouts/lab4-double-fault.md, section 10). The
 * depth test against a volatile limit never succeeds, but the compiler cannot know that, so it
 * does not warn about infinite recursion either.
 */
static volatile uint64_t lab4_depth_limit = ~0ull;

static __attribute__((noinline)) uint64_t lab4_recurse(uint64_t depth)
{
	volatile uint8_t pad[128];

	pad[0] = (uint8_t)depth;
	pad[sizeof(pad) - 1] = (uint8_t)(depth >> 8);
	if (depth >= lab4_depth_limit)
		return depth;
	return lab4_recurse(depth + 1) + pad[0] + pad[sizeof(pad) - 1];
}

/* Refuse to overflow when the handler could not run: that would reset the machine instead. */
static int ready_for_overflow(void)
{
	if (idt[TRAP_DF].ist != IST_DOUBLE_FAULT || tss.ist[IST_DOUBLE_FAULT - 1] == 0) {
		ktest_fail(
			"not overflowing the stack: the double-fault gate has IST %u and TSS IST1 "
			"is 0x%lx, so the double fault would reset the machine",
			idt[TRAP_DF].ist, (unsigned long)tss.ist[IST_DOUBLE_FAULT - 1]);
		return 0;
	}
	return 1;
}

/*
 * Overflow the boot stack: a page fault in the guard page, whose frame the CPU cannot push (the
 * stack pointer is in the guard page too), so a double fault, on the IST stack.
 */
KTEST_SHOULD_PANIC(lab4, stack_overflow)
{
	ktest_value("boot_stack", "guard %016lx bottom %016lx top %016lx",
		    (unsigned long)boot_stack_guard, (unsigned long)boot_stack_bottom,
		    (unsigned long)boot_stack_top);
	if (!ready_for_overflow())
		return;
	ktest_expect_panic("unhandled exception #DF");
	lab4_recurse(0);
}

static __attribute__((noinline)) void lab4_fault_noncanonical(volatile uint64_t *p)
{
	(void)*p; /* a read through a non-canonical address: #GP with error code 0 */
}

/*
 * A double fault without any stack trouble: clear the present bit of the #GP gate, then raise
 * #GP. Delivering it finds the gate not present, which raises #NP; #GP and #NP are both
 * "contributory", and a contributory exception during the delivery of another is a double fault.
 * The address is random, somewhere in the non-canonical hole between the two halves.
 */
KTEST_SHOULD_PANIC(lab4, df_not_present)
{
	struct rng r = ktest_rng();
	uint64_t addr = (0x0000800000000000ull + rng_below(&r, 0xffff000000000000ull)) & ~7ull;

	ktest_value("addr", "%016lx", (unsigned long)addr);
	idt[TRAP_GP].type_attr &= (uint8_t)~GATE_PRESENT;
	ktest_expect_panic("unhandled exception #DF");
	lab4_fault_noncanonical((volatile uint64_t *)addr);
}

/*
 * The reason for the IST, shown by its absence: the double-fault gate back on IST 0, then the
 * same overflow. The double fault's frame goes where the page fault's could not, so delivering
 * the double fault faults as well: a triple fault, and the machine resets. Never returns.
 */
KTEST_ALONE(lab4, no_ist)
{
	idt[TRAP_DF].ist = 0;
	lab4_recurse(0);
	ktest_fail("the stack overflow returned");
}
