/*
 * x86.h: every x86 instruction the C code needs that C cannot express, each as a one-line
 * static inline wrapper. A "memory" clobber tells the compiler the instruction orders memory
 * accesses (it may not move loads or stores across it). Intel SDM Vol. 2 describes each one.
 */
#ifndef X86_H
#define X86_H

#include <stdint.h>

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

/* clang-format off */
static inline void cli(void) { __asm__ volatile("cli" : : : "memory"); }
static inline void sti(void) { __asm__ volatile("sti" : : : "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" : : : "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause" : : : "memory"); }
/* clang-format on */

static inline uint64_t read_cr0(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t read_rflags(void)
{
	uint64_t v;
	__asm__ volatile("pushfq; popq %0" : "=r"(v) : : "memory");
	return v;
}

static inline uint64_t read_rbp(void)
{
	uint64_t v;
	__asm__ volatile("mov %%rbp, %0" : "=r"(v));
	return v;
}

/* The operand of lgdt and lidt: a 16-bit limit and a 64-bit base (SDM Vol. 3A §3.5.1). */
struct __attribute__((packed)) descriptor_ptr {
	uint16_t limit;
	uint64_t base;
};

static inline void lidt(const struct descriptor_ptr *p)
{
	__asm__ volatile("lidt %0" : : "m"(*p) : "memory");
}

static inline void lgdt(const struct descriptor_ptr *p)
{
	__asm__ volatile("lgdt %0" : : "m"(*p) : "memory");
}

static inline void sidt(struct descriptor_ptr *p)
{
	__asm__ volatile("sidt %0" : "=m"(*p));
}

static inline void sgdt(struct descriptor_ptr *p)
{
	__asm__ volatile("sgdt %0" : "=m"(*p));
}

static inline void ltr(uint16_t sel)
{
	__asm__ volatile("ltr %0" : : "r"(sel) : "memory");
}

static inline uint16_t str(void)
{
	uint16_t sel;
	__asm__ volatile("str %0" : "=r"(sel));
	return sel;
}

/* The selectors in the segment registers (SDM Vol. 3A §3.4.3). */
static inline uint16_t read_cs(void)
{
	uint16_t sel;
	__asm__ volatile("mov %%cs, %0" : "=r"(sel));
	return sel;
}

static inline uint16_t read_ss(void)
{
	uint16_t sel;
	__asm__ volatile("mov %%ss, %0" : "=r"(sel));
	return sel;
}

static inline uint16_t read_ds(void)
{
	uint16_t sel;
	__asm__ volatile("mov %%ds, %0" : "=r"(sel));
	return sel;
}

static inline void invlpg(const void *va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* CPUID leaf `leaf`, subleaf 0: EAX, EBX, ECX, EDX into r[0..3] (SDM Vol. 2A, CPUID). */
static inline void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

#define CR0_WP (1ull << 16) /* write protect: ring 0 obeys read-only pages (SDM Vol. 3A §2.5) */
#define CPUID_EXT_PDPE1GB (1u << 26) /* CPUID 0x80000001 EDX: 1 GiB pages */
#define CPUID_EXT_NX (1u << 20)      /* CPUID 0x80000001 EDX: the execute-disable bit */

#define MSR_EFER 0xc0000080
#define EFER_LME (1u << 8)  /* long mode enable */
#define EFER_LMA (1u << 10) /* long mode active (read-only) */
#define EFER_NXE (1u << 11) /* bit 63 of page-table entries means no-execute */

#endif /* X86_H */
