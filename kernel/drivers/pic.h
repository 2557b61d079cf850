/*
 * pic.h: the two 8259A programmable interrupt controllers of the PC (lab 5).
 *
 * Each 8259 has eight inputs. The slave's output is wired to input 2 of the master, so together
 * they serve IRQs 0..7 (master) and 8..15 (slave). Each chip has a command port and a data port;
 * the sequences written to them are named after the Intel 8259A datasheet: four initialization
 * command words (ICW1..ICW4) set a chip up, and operation command words (OCW1..OCW3) mask lines,
 * end interrupts and select which register a read of the command port returns. Every chip keeps
 * three 8-bit registers, one bit per input:
 *   IRR  interrupt request register: the line has asked and is waiting;
 *   ISR  in-service register: the CPU took the interrupt and its EOI has not come yet;
 *   IMR  interrupt mask register: the line is ignored (OCW1, read back from the data port).
 * See handouts/lab5-interrupts.md, sections 3 to 5.
 */
#ifndef PIC_H
#define PIC_H

#include <stdbool.h>
#include <stdint.h>

/* I/O ports (the PC/AT's fixed addresses). */
#define PIC1_CMD  0x20 /* master: ICW1, OCW2, OCW3; reads IRR or ISR */
#define PIC1_DATA 0x21 /* master: ICW2..ICW4, OCW1 (IMR) */
#define PIC2_CMD  0xa0 /* slave */
#define PIC2_DATA 0xa1

/* ICW1 (command port): bit 4 says "this is ICW1", which starts the initialization sequence. */
#define ICW1_INIT 0x10 /* start initialization; edge-triggered, cascade mode */
#define ICW1_ICW4 0x01 /* an ICW4 will follow */
/* ICW2 (data port): the vector of input 0; inputs 1..7 follow it. Must be a multiple of 8. */
/* ICW3 (data port): master: a bit for each input with a slave on it; slave: its input number. */
#define ICW3_MASTER_SLAVE_ON_2 0x04 /* bit 2: the slave hangs off input 2 */
#define ICW3_SLAVE_ID          0x02 /* the slave's identity: input 2 of the master */
/* ICW4 (data port). */
#define ICW4_8086 0x01 /* 8086 mode (not the 8080's CALL-based scheme); normal EOI */

/* OCW2 (command port): end of interrupt. */
#define OCW2_EOI          0x20 /* non-specific EOI: clear the highest-priority ISR bit */
#define OCW2_SPECIFIC_EOI 0x60 /* specific EOI: clear ISR bit (value & 7) */
/* OCW3 (command port): what the next read of the command port returns. */
#define OCW3_READ_IRR 0x0a
#define OCW3_READ_ISR 0x0b
#define OCW3_POLL     0x0c /* the next read acknowledges the highest request, as the CPU would */

#define PIC_SPURIOUS_LINE 7 /* the input a chip reports when a request vanished before INTA */

/*
 * Exercise 1 (pic_remap.c). Initialize both chips with the four ICWs so that the master's inputs
 * raise vectors master_base..master_base+7 and the slave's slave_base..slave_base+7, with the
 * slave cascaded on input 2 and both chips in 8086 mode: ICW1 0x11 (edge-triggered, cascaded,
 * ICW4 follows), ICW2 the base, ICW3 0x04 for the master and 0x02 for the slave, ICW4 0x01.
 * Then write the masks: every line of both chips masked (IMR 0xff); the caller unmasks what it
 * needs. The grader reads these bytes from QEMU's trace of the port writes.
 */
void pic_remap(uint8_t master_base, uint8_t slave_base);

/*
 * Exercise 1 (pic_remap.c). End the interrupt of line irq (0..15) with non-specific EOIs: for a
 * master line (0..7) one to the master only; for a slave line (8..15) one to the slave first,
 * then one to the master (which has the cascade, line 2, in service).
 */
void pic_send_eoi(int irq);

/*
 * Exercise 1 (pic_remap.c). Is this delivery of line irq spurious? Only lines 7 and 15 can be:
 * a chip whose request vanished before the CPU acknowledged it reports its input 7 without
 * setting that input's ISR bit. For a spurious 7 return true and send no EOI at all. For a
 * spurious 15 return true and send an EOI to the master only: the master did see a real request
 * on its input 2, from the slave. For every other case return false and send nothing.
 */
bool pic_is_spurious(int irq);

/* Mask (ignore) or unmask line irq (0..15). Unmasking a slave line also unmasks the cascade. */
void pic_mask(int irq);
void pic_unmask(int irq);

/* The IMR of both chips, master in bits 0..7 and slave in bits 8..15. */
uint16_t pic_get_mask(void);

/* The IRR or the ISR of both chips, master in bits 0..7 and slave in bits 8..15 (OCW3). */
uint16_t pic_read_irr(void);
uint16_t pic_read_isr(void);

#endif /* PIC_H */
