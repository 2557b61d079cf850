/*
 * pic.c: masking lines of the 8259 PICs and reading their registers (lab 5).
 *
 * The interrupt mask register (IMR) of each chip is read and written through its data port
 * (OCW1). The IRR and ISR are read through the command port after an OCW3 selects which of the
 * two the next read returns. Each function here is a read-modify-write or a write-then-read of
 * the chips, so it runs with interrupts disabled: a handler running in the middle (and sending
 * its own OCW3, say) would otherwise change what the second half sees. Setting the chips up and
 * ending interrupts is your code, in pic_remap.c.
 */
#include "pic.h"
#include "irq.h"
#include "spinlock.h"
#include "x86.h"

static void set_masked(int irq, bool masked)
{
	uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
	uint8_t bit = (uint8_t)(1u << (irq & 7));
	uint64_t flags = irq_save();
	uint8_t imr = inb(port);

	outb(port, masked ? (uint8_t)(imr | bit) : (uint8_t)(imr & ~bit));
	irq_restore(flags);
}

void pic_mask(int irq)
{
	set_masked(irq, true);
}

void pic_unmask(int irq)
{
	if (irq >= 8)
		set_masked(IRQ_CASCADE, false); /* the slave's requests reach the CPU through it */
	set_masked(irq, false);
}

uint16_t pic_get_mask(void)
{
	return (uint16_t)(inb(PIC1_DATA) | inb(PIC2_DATA) << 8);
}

static uint16_t read_register(uint8_t ocw3)
{
	uint64_t flags = irq_save();
	uint16_t v;

	outb(PIC1_CMD, ocw3);
	outb(PIC2_CMD, ocw3);
	v = (uint16_t)(inb(PIC1_CMD) | inb(PIC2_CMD) << 8);
	irq_restore(flags);
	return v;
}

uint16_t pic_read_irr(void)
{
	return read_register(OCW3_READ_IRR);
}

uint16_t pic_read_isr(void)
{
	return read_register(OCW3_READ_ISR);
}
