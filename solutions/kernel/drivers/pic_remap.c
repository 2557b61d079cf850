/*
 * pic_remap.c: setting up the 8259 pair and ending interrupts (lab 5 reference solution).
 *
 * ICW1 on the command port starts a chip's initialization; the chip then expects ICW2, ICW3 and
 * (because ICW1 said so) ICW4 on its data port, in that order. The end of the sequence leaves the
 * IMR as it was, so the last step writes the masks. An EOI goes to the slave first for slave
 * lines: both chips have the request in service (the slave its own line, the master line 2).
 * A spurious request shows up as line 7 of the chip it came from, with that line's ISR bit clear.
 */
#include <stdbool.h>
#include <stdint.h>

#include "panic.h"
#include "pic.h"
#include "x86.h"

void pic_remap(uint8_t master_base, uint8_t slave_base)
{
	outb(PIC1_CMD, ICW1_INIT | ICW1_ICW4); /* ICW1: initialize, ICW4 follows */
	outb(PIC2_CMD, ICW1_INIT | ICW1_ICW4);
	outb(PIC1_DATA, master_base); /* ICW2: vector of input 0 */
	outb(PIC2_DATA, slave_base);
	outb(PIC1_DATA, ICW3_MASTER_SLAVE_ON_2); /* ICW3: where the slave is wired */
	outb(PIC2_DATA, ICW3_SLAVE_ID);
	outb(PIC1_DATA, ICW4_8086); /* ICW4: 8086 mode, normal EOI */
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, 0xff); /* OCW1: every line masked */
	outb(PIC2_DATA, 0xff);
}

void pic_send_eoi(int irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
}

bool pic_is_spurious(int irq)
{
	uint8_t isr;

	if (irq == PIC_SPURIOUS_LINE) {
		outb(PIC1_CMD, OCW3_READ_ISR);
		isr = inb(PIC1_CMD);
		return !(isr & (1u << PIC_SPURIOUS_LINE));
	}
	if (irq == 8 + PIC_SPURIOUS_LINE) {
		outb(PIC2_CMD, OCW3_READ_ISR);
		isr = inb(PIC2_CMD);
		if (isr & (1u << PIC_SPURIOUS_LINE))
			return false;
		outb(PIC1_CMD, OCW2_EOI); /* the master did take a real request on line 2 */
		return true;
	}
	return false;
}
