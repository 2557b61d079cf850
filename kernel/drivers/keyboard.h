/*
 * keyboard.h: the PS/2 keyboard on IRQ 1 (lab 5).
 *
 * The keyboard's interrupt handler reads each byte the keyboard controller received, decodes it
 * with kbd_decode() (kbd.h), echoes the key on the console and queues it. Normal code takes keys
 * out of the queue with keyboard_poll() or keyboard_read(). Keys are the values kbd_decode()
 * returns: ASCII characters, or KEY_UP and the other arrows. When the chapter is off
 * keyboard_init() is an empty stub.
 */
#ifndef KEYBOARD_H
#define KEYBOARD_H

#include <stdint.h>

#include "kbd.h"

/* The 8042 keyboard controller's ports (keyboard.c explains them). */
#define KBD_DATA   0x60 /* read: the byte received; write: a byte for the keyboard */
#define KBD_STATUS 0x64 /* read: the controller's status */
#define KBD_CMD    0x64 /* write: a command for the controller */

#define KBD_STATUS_OUTPUT_FULL 0x01 /* a byte waits in port 0x60 for the CPU */
#define KBD_STATUS_INPUT_FULL  0x02 /* the controller has not taken our last byte yet */

#if CONFIG_PIC
/* Set up the keyboard controller (interrupts on, set 1 translation) and claim IRQ 1. */
void keyboard_init(void);

/* The next queued key, or KEY_NONE if there is none. Does not wait. */
int keyboard_poll(void);

/* The next key; sleeps (sti; hlt) until one arrives. Returns with interrupts enabled. */
int keyboard_read(void);

/*
 * Show a key on the console as a terminal would: a character as itself, Backspace as "\b \b",
 * an arrow as its ANSI escape sequence (ESC [ A, B, C or D: up, down, right, left).
 */
void keyboard_echo(int key);

/* Bytes read from the controller, keys queued, and keys lost because the queue was full. */
extern volatile uint64_t keyboard_bytes, keyboard_keys, keyboard_dropped;
#else
static inline void keyboard_init(void)
{
}
#endif /* CONFIG_PIC */

#endif /* KEYBOARD_H */
