/*
 * gdt_desc.c: encoding segment descriptors (lab 4 reference solution).
 *
 * Each field is masked to its width and shifted to its place (SDM Vol. 3A §3.4.5, Figure 3-8);
 * the 16-byte system descriptor reuses the 8-byte encoding for its first half, with flags 0,
 * and puts the upper half of the base in the low 32 bits of its second half (SDM Vol. 3A §7.2.3,
 * "TSS Descriptor in 64-bit Mode").
 */
#include "gdt.h"
#include "panic.h"

uint64_t gdt_segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	uint64_t d = 0;

	d |= (uint64_t)(limit & 0xffff);            /* bits 0..15: limit 0..15 */
	d |= (uint64_t)(base & 0xffffff) << 16;     /* bits 16..39: base 0..23 */
	d |= (uint64_t)access << 40;                /* bits 40..47: P, DPL, S, type */
	d |= (uint64_t)((limit >> 16) & 0xf) << 48; /* bits 48..51: limit 16..19 */
	d |= (uint64_t)(flags & 0xf) << 52;         /* bits 52..55: AVL, L, D/B, G */
	d |= (uint64_t)((base >> 24) & 0xff) << 56; /* bits 56..63: base 24..31 */
	return d;
}

void gdt_system(uint64_t desc[2], uint64_t base, uint32_t limit, uint8_t access)
{
	desc[0] = gdt_segment((uint32_t)base, limit, access, 0);
	desc[1] = base >> 32; /* base 32..63; bits 32..63 of this half are reserved, zero */
}
