/*
 * pic_remap.c: setting up the 8259 pair and ending interrupts (lab 5, exercise 1).
 *
 * After the BIOS, the master PIC raises vectors 8..15, the very vectors the CPU uses for its own
 * exceptions (8 is the double fault). pic_remap() sends each chip its four initialization
 * command words so that IRQs 0..15 arrive at vectors of our choosing instead. pic_send_eoi()
 * tells the chips that a handler is done, so that they deliver the next request of the same or
 * lower priority. pic_is_spurious() recognises the phantom IRQ 7 or 15 that a chip reports when
 * a request disappears before the CPU acknowledges it. The ports, command words and register
 * bits are named in pic.h; the contracts are there too. See handouts/lab5-interrupts.md,
 * sections 4 and 5.
 */
#include <stdbool.h>
#include <stdint.h>

#include "panic.h"
#include "pic.h"
#include "x86.h"

void pic_remap(uint8_t master_base, uint8_t slave_base)
{
	/* LAB 5: your code here */
	panic("lab 5: pic_remap not implemented");
}

void pic_send_eoi(int irq)
{
	/* LAB 5: your code here */
	panic("lab 5: pic_send_eoi not implemented");
}

bool pic_is_spurious(int irq)
{
	/* LAB 5: your code here */
	panic("lab 5: pic_is_spurious not implemented");
}
