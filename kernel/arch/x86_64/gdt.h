/*
 * gdt.h: the kernel's own GDT and TSS, and the double-fault stack (lab 4).
 *
 * In 64-bit mode segmentation is mostly switched off, but the global descriptor table still has
 * three jobs: its code descriptor says that the kernel runs 64-bit code at privilege level 0, its
 * data descriptor gives SS a valid value, and a 16-byte system descriptor points the CPU at the
 * task-state segment (TSS). The TSS no longer switches tasks; it holds the stack pointers the CPU
 * loads when an interrupt arrives, among them the Interrupt Stack Table (IST). gdt_init() builds
 * both tables with your encoders (gdt_desc.c, tss_init.c), loads them, and makes the double-fault
 * gate use IST slot 1 (idt_ist.c), so that a double fault caused by a stack overflow runs on a
 * stack of its own. See handouts/lab4-double-fault.md for the pictures.
 *
 * When the chapter is off gdt_init() and double_fault_note() are empty stubs, so callers carry
 * no #if.
 */
#ifndef GDT_H
#define GDT_H

/* The table's slots and their selectors (index * 8, TI = 0: the GDT, RPL = 0). */
#define GDT_NULL_INDEX  0
#define GDT_KCODE_INDEX 1 /* 64-bit kernel code */
#define GDT_KDATA_INDEX 2 /* kernel data, for SS (and DS, ES, FS, GS) */
#define GDT_TSS_INDEX   3 /* the TSS descriptor takes two slots: 3 and 4 */
#define GDT_ENTRIES     5

#define KERNEL_DS 0x10                 /* GDT_KDATA_INDEX << 3; KERNEL_CS (idt.h) is 0x08 */
#define GDT_TSS   (GDT_TSS_INDEX << 3) /* 0x18, the selector ltr loads */

/*
 * The access byte of a descriptor, bits 40..47 (Intel SDM Vol. 3A §3.4.5, Figure 3-8).
 * For code and data (S = 1) the type nibble is: bit 3 code, bit 1 readable (code) or writable
 * (data), bit 0 accessed. For system descriptors (S = 0) it is a number (Table 3-2).
 */
#define SEG_PRESENT       0x80                /* P: the descriptor is in use */
#define SEG_DPL(n)        (((n) << 5) & 0x60) /* privilege level of the segment */
#define SEG_S             0x10                /* S: code or data (1), system (0) */
#define SEG_CODE          0x08                /* type: code segment */
#define SEG_READ          0x02                /* code: readable */
#define SEG_WRITE         0x02                /* data: writable */
#define SEG_ACCESSED      0x01                /* set by the CPU whenever it loads the descriptor */
#define SYS_TSS_AVAILABLE 0x09                /* system type: 64-bit TSS, not busy (Table 3-2) */
#define SYS_TSS_BUSY      0x0b                /* what ltr turns it into */

/* The flags nibble, bits 52..55 of a descriptor (passed as a number 0..15). */
#define SEG_FLAG_AVL 0x1 /* free for software */
#define SEG_FLAG_L   0x2 /* code: 64-bit code segment (then D must be 0) */
#define SEG_FLAG_DB  0x4 /* 32-bit default operand size (code) or big stack (data) */
#define SEG_FLAG_G   0x8 /* granularity: the limit counts 4 KiB units instead of bytes */

/* What gdt_init() asks for. The code and data values equal boot.S's boot_gdt entries. */
#define KCODE_ACCESS (SEG_PRESENT | SEG_DPL(0) | SEG_S | SEG_CODE | SEG_READ) /* 0x9a */
#define KCODE_FLAGS  (SEG_FLAG_G | SEG_FLAG_L)                                /* 0xa */
#define KDATA_ACCESS (SEG_PRESENT | SEG_DPL(0) | SEG_S | SEG_WRITE)           /* 0x92 */
#define KDATA_FLAGS  (SEG_FLAG_G | SEG_FLAG_DB)                               /* 0xc */
#define TSS_ACCESS   (SEG_PRESENT | SEG_DPL(0) | SYS_TSS_AVAILABLE)           /* 0x89 */

#define IST_DOUBLE_FAULT        1     /* the IST slot of the double-fault gate */
#define DOUBLE_FAULT_STACK_SIZE 16384 /* double_fault_stack.S */

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

struct descriptor_ptr;
struct trap_frame;

/*
 * The 64-bit task-state segment (SDM Vol. 3A §7.7, Figure 7-11). Packed: the 8-byte fields sit at
 * offsets that are 4 modulo 8, as the hardware defines them.
 */
struct __attribute__((packed)) tss {
	uint32_t reserved0;
	uint64_t rsp[3]; /* RSP0..RSP2: stack for an interrupt that raises privilege to 0..2 */
	uint64_t reserved1;
	uint64_t ist[7]; /* IST1..IST7 (ist[0] is IST1): stacks a gate can ask for */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base; /* offset of the I/O permission bitmap from the TSS's start */
};

_Static_assert(sizeof(struct tss) == 104, "a 64-bit TSS is 104 bytes");
_Static_assert(offsetof(struct tss, rsp) == 0x04, "TSS RSP0 is at offset 4");
_Static_assert(offsetof(struct tss, ist) == 0x24, "TSS IST1 is at offset 0x24");
_Static_assert(offsetof(struct tss, iomap_base) == 0x66, "TSS I/O map base is at offset 0x66");

#if CONFIG_DOUBLE_FAULT
/* The tables themselves. The grader compares GDTR's base with &gdt and TR's base with &tss. */
extern uint64_t gdt[GDT_ENTRIES];
extern struct tss tss;

/* The double-fault stack (double_fault_stack.S): [bottom, top), 16-byte aligned at both ends. */
extern uint8_t double_fault_stack_bottom[], double_fault_stack_top[];

/* Build and load the GDT and TSS, reload every segment register, and give the double-fault gate
 * its own stack through the IST. Panics if an encoder produces a descriptor that cannot work. */
void gdt_init(void);

/*
 * Load GDTR from *gdtr, then CS with cs and DS, ES, SS, FS, GS with ds (gdt_load.S). Returns to
 * the caller on the new code segment.
 */
void gdt_load(const struct descriptor_ptr *gdtr, uint16_t cs, uint16_t ds);

/*
 * Called by trap_dispatch() for a double fault, before the report. Prints the line
 *   DOUBLE FAULT: handler stack 0x<tf, 16 hex digits> (ist1 0x<bottom>..0x<top>)
 * which says where the handler is running (its trap frame's address) and where the IST stack is.
 */
void double_fault_note(const struct trap_frame *tf);

/*
 * Exercise 1 (gdt_desc.c). Encode an 8-byte code or data descriptor: the 32-bit base, the 20-bit
 * limit (bits above 19 are ignored), the access byte, and the 4-bit flags nibble (G, D/B, L, AVL;
 * bits above 3 are ignored).
 */
uint64_t gdt_segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags);

/*
 * Exercise 1 (gdt_desc.c). Encode a 16-byte system descriptor (a TSS's, say) into desc[0] (bytes
 * 0..7, the table's first slot) and desc[1] (bytes 8..15): the 64-bit base, the 20-bit limit in
 * bytes, the access byte, flags nibble 0. Every reserved bit is zero.
 */
void gdt_system(uint64_t desc[2], uint64_t base, uint32_t limit, uint8_t access);

/*
 * Exercise 2 (tss_init.c). Fill *t for a kernel that never runs user code: IST1 holds ist1_top,
 * the I/O map base says "no I/O permission bitmap", and every other byte is zero.
 */
void tss_init(struct tss *t, uint64_t ist1_top);

/*
 * Exercise 3 (idt_ist.c). Make IDT gate `vector` switch to IST slot `ist` (0..7, 0 meaning "stay
 * on the current stack"; bits of ist above 2 are ignored): byte 4 of the gate becomes the low 3
 * bits of ist, its reserved bits 3..7 zero whatever they held, and every other byte of the gate
 * keeps its value.
 */
void idt_set_ist(uint8_t vector, uint8_t ist);
#else
static inline void gdt_init(void)
{
}
static inline void double_fault_note(const struct trap_frame *tf)
{
}
#endif /* CONFIG_DOUBLE_FAULT */
#endif /* __ASSEMBLY__ */

#endif /* GDT_H */
