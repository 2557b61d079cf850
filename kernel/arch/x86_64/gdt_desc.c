/*
 * gdt_desc.c: encoding segment descriptors (lab 4, exercise 1).
 *
 * A code or data descriptor is 8 bytes, and like an IDT gate it carries the scars of its history:
 * the 32-bit base is cut into bits 0..23 and 24..31, the 20-bit limit into bits 0..15 and
 * 16..19, with the access byte and the flags nibble in between (Intel SDM Vol. 3A §3.4.5):
 *
 *   63      56 55  52 51  48 47      40 39      32 31              16 15               0
 *  +----------+------+------+----------+----------+------------------+------------------+
 *  | base     |flags |limit | access   | base     | base 0..15       | limit 0..15      |
 *  | 24..31   |G D L |16..19|P DPL S ty| 16..23   |                  |                  |
 *  +----------+------+------+----------+----------+------------------+------------------+
 *
 * A system descriptor in 64-bit mode (a TSS's) is 16 bytes: its first 8 bytes have exactly the
 * layout above, holding base bits 0..31, and the next 8 bytes hold base bits 32..63 in their low
 * half and zeros in their high half. See handouts/lab4-double-fault.md, sections 8 and 9.
 */
#include "gdt.h"
#include "panic.h"

uint64_t gdt_segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	/* LAB 4: your code here */
	panic("lab 4: gdt_segment not implemented");
}

void gdt_system(uint64_t desc[2], uint64_t base, uint32_t limit, uint8_t access)
{
	/* LAB 4: your code here */
	panic("lab 4: gdt_system not implemented");
}
