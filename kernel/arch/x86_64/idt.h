/*
 * idt.h: the interrupt descriptor table (lab 3).
 *
 * The IDT is an array of 256 gates, one per interrupt vector. When exception or interrupt number
 * v happens, the CPU reads gate v, checks it is present, and jumps to the handler address the
 * gate holds, on the code segment it names. idt.c fills the gates of the 32 exception vectors
 * with the entry stubs of trap_entry.S and loads the table with lidt; idt_set_gate() (your code,
 * idt_gate.c) writes one gate. See handouts/lab3-exceptions.md, section 4, for the picture.
 *
 * When the exceptions chapter is off, idt_init() is an empty stub, so kmain calls it without #if.
 */
#ifndef IDT_H
#define IDT_H

#include <stddef.h>
#include <stdint.h>

/*
 * One 64-bit gate, 16 bytes (Intel SDM Vol. 3A §6.14.1, "64-Bit Mode IDT"). The handler's
 * address is split over three fields: the layout grew out of the 8-byte gates of 32-bit and
 * 16-bit x86, which had room for only 16 or 32 bits of it.
 */
struct idt_gate {
	uint16_t offset_low;  /* handler address, bits 0..15 */
	uint16_t selector;    /* code segment the handler runs in: KERNEL_CS */
	uint8_t ist;          /* bits 0..2: Interrupt Stack Table slot, 0 = stay on this stack */
	uint8_t type_attr;    /* bits 0..3 gate type, bit 4 zero, bits 5..6 DPL, bit 7 present */
	uint16_t offset_mid;  /* handler address, bits 16..31 */
	uint32_t offset_high; /* handler address, bits 32..63 */
	uint32_t reserved;    /* must be zero */
};

_Static_assert(sizeof(struct idt_gate) == 16, "an IDT gate is 16 bytes in 64-bit mode");
_Static_assert(offsetof(struct idt_gate, selector) == 2, "gate selector is at byte 2");
_Static_assert(offsetof(struct idt_gate, ist) == 4, "gate IST is at byte 4");
_Static_assert(offsetof(struct idt_gate, type_attr) == 5, "gate type is at byte 5");
_Static_assert(offsetof(struct idt_gate, offset_mid) == 6, "gate offset 16..31 is at byte 6");
_Static_assert(offsetof(struct idt_gate, offset_high) == 8, "gate offset 32..63 is at byte 8");

#define IDT_ENTRIES 256

/* The 64-bit kernel code segment boot.S loads (its GDT's second descriptor). */
#define KERNEL_CS 0x08

/* The type_attr byte (SDM Vol. 3A §6.14.1, Figure 6-8; types from Table 3-2). */
#define GATE_PRESENT        0x80                /* P: the gate is in use */
#define GATE_DPL(n)         (((n) << 5) & 0x60) /* lowest privilege allowed to use `int n` on it */
#define GATE_TYPE_INTERRUPT 0xe                 /* clears RFLAGS.IF on entry */
#define GATE_TYPE_TRAP      0xf                 /* leaves RFLAGS.IF as it was */
#define GATE_INTERRUPT      (GATE_PRESENT | GATE_DPL(0) | GATE_TYPE_INTERRUPT) /* 0x8e */

#if CONFIG_EXCEPTIONS
/* The table itself, 16-byte aligned. The grader compares its address with the IDTR base. */
extern struct idt_gate idt[IDT_ENTRIES];

/* Fill the IDT with the exception entry points and load it with lidt. */
void idt_init(void);

/*
 * Exercise 1 (idt_gate.c). Make gate `vector` send the CPU to `handler` in segment KERNEL_CS,
 * on the stack chosen by `ist` (0..7, 0 meaning the current stack; only the low 3 bits of ist
 * count, bits above 2 are ignored), with the type, DPL and present bits given in `type_attr`
 * (GATE_INTERRUPT for the exception handlers). Every other bit of the gate is zero afterwards.
 */
void idt_set_gate(uint8_t vector, void (*handler)(void), uint8_t ist, uint8_t type_attr);
#else
static inline void idt_init(void)
{
}
#endif /* CONFIG_EXCEPTIONS */

#endif /* IDT_H */
