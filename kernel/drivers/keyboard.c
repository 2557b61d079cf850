/*
 * keyboard.c: the PS/2 keyboard driver (lab 5).
 *
 * The keyboard talks to an Intel 8042-compatible controller, which the CPU reaches through two
 * ports: 0x60 for data (scancodes in, commands for the keyboard out) and 0x64 for the
 * controller's status (read) and its own commands (write). Whenever the controller has a byte
 * for us it sets bit 0 of the status and raises IRQ 1; reading port 0x60 takes the byte and
 * lets the controller move on to the next one. keyboard_init() makes sure the controller
 * interrupts and translates the keyboard's codes to scancode set 1 (the firmware usually left it
 * so already).
 *
 * The handler decodes each byte with your kbd_decode(), echoes the key and puts it in a small
 * ring buffer. The handler is the only writer (it advances head) and normal code the only reader
 * (it advances tail); normal code reads with interrupts off, so it never sees a half-made update.
 * See handouts/lab5-interrupts.md, section 7.
 */
#include <stdbool.h>

#include "irq.h"
#include "kbd.h"
#include "keyboard.h"
#include "keystream.h"
#include "kprintf.h"
#include "spinlock.h"
#include "x86.h"

#define KBD_CMD_READ_CONFIG  0x20 /* the configuration byte follows on port 0x60 */
#define KBD_CMD_WRITE_CONFIG 0x60 /* the next byte written to port 0x60 is the configuration */
#define KBD_CMD_ENABLE_PORT1 0xae

#define KBD_CONFIG_IRQ1      0x01 /* interrupt on IRQ 1 when a keyboard byte arrives */
#define KBD_CONFIG_PORT1_OFF 0x10 /* the keyboard's clock is disabled */
#define KBD_CONFIG_TRANSLATE 0x40 /* translate the keyboard's set 2 codes to set 1 */

#define KBD_SPIN_LIMIT 100000 /* status polls before we give up on the controller */
#define KBD_QUEUE      256    /* keys the queue holds (a power of two) */

volatile uint64_t keyboard_bytes, keyboard_keys, keyboard_dropped;

static struct kbd_state state;
static int queue[KBD_QUEUE];
static volatile unsigned head, tail; /* head: next free slot; tail: oldest key */

/* Wait until the controller has a byte for us; false if none came. */
static bool wait_output(void)
{
	for (int i = 0; i < KBD_SPIN_LIMIT; i++) {
		if (inb(KBD_STATUS) & KBD_STATUS_OUTPUT_FULL)
			return true;
		cpu_relax();
	}
	return false;
}

/* Wait until the controller can take a byte from us; false if it never could. */
static bool wait_input(void)
{
	for (int i = 0; i < KBD_SPIN_LIMIT; i++) {
		if (!(inb(KBD_STATUS) & KBD_STATUS_INPUT_FULL))
			return true;
		cpu_relax();
	}
	return false;
}

/* Throw away whatever bytes the controller still holds (keys pressed during boot, say). */
static void drain(void)
{
	for (int i = 0; i < 64 && (inb(KBD_STATUS) & KBD_STATUS_OUTPUT_FULL); i++)
		(void)inb(KBD_DATA);
}

void keyboard_echo(int key)
{
	switch (key) {
	case KEY_UP:
		kprintf("\033[A");
		break;
	case KEY_DOWN:
		kprintf("\033[B");
		break;
	case KEY_RIGHT:
		kprintf("\033[C");
		break;
	case KEY_LEFT:
		kprintf("\033[D");
		break;
	case '\b':
		kprintf("\b \b");
		break;
	default:
		if (key > 0 && key < 0x80)
			kprintf("%c", key);
	}
}

static void keyboard_irq(struct trap_frame *tf)
{
	uint8_t code;
	int key;

	if (!(inb(KBD_STATUS) & KBD_STATUS_OUTPUT_FULL))
		return; /* nothing to read: the byte went to someone else */
	code = inb(KBD_DATA);
	keyboard_bytes++;
	if (CONFIG_ASYNC && keystream_claimed) {
		keystream_irq(&keystream, code); /* lab 9: a task decodes it */
		return;
	}
	key = kbd_decode(&state, code);
	if (key == KEY_NONE)
		return;
	if (head - tail == KBD_QUEUE) {
		keyboard_dropped++;
	} else {
		queue[head % KBD_QUEUE] = key;
		head++; /* only after the slot is written: the reader checks head */
		keyboard_keys++;
	}
	keyboard_echo(key);
}

int keyboard_poll(void)
{
	uint64_t flags = irq_save();
	int key = KEY_NONE;

	if (tail != head) {
		key = queue[tail % KBD_QUEUE];
		tail++;
	}
	irq_restore(flags);
	return key;
}

int keyboard_read(void)
{
	for (;;) {
		int key;

		cli();
		if (tail != head) {
			key = queue[tail % KBD_QUEUE];
			tail++;
			sti();
			return key;
		}
		/*
		 * Nothing yet: sleep until the next interrupt. We checked with interrupts off,
		 * and irq_wait() enables them with the hlt in sti's shadow, so a key arriving
		 * after the check still wakes us. With sti first and hlt later, it could arrive
		 * in between, and we would sleep with a key waiting.
		 */
		irq_wait();
	}
}

void keyboard_init(void)
{
	uint8_t config = 0;

	drain();
	if (wait_input()) {
		outb(KBD_CMD, KBD_CMD_READ_CONFIG);
		if (wait_output())
			config = inb(KBD_DATA);
		config |= KBD_CONFIG_IRQ1 | KBD_CONFIG_TRANSLATE;
		config &= (uint8_t)~KBD_CONFIG_PORT1_OFF;
		if (wait_input())
			outb(KBD_CMD, KBD_CMD_WRITE_CONFIG);
		if (wait_input())
			outb(KBD_DATA, config);
		if (wait_input())
			outb(KBD_CMD, KBD_CMD_ENABLE_PORT1);
	}
	drain();
	irq_set_handler(IRQ_KEYBOARD, keyboard_irq);
	kprintf("keyboard: PS/2 on IRQ %d, config 0x%02x\n", IRQ_KEYBOARD, config);
}
