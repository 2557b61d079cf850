/*
 * idt.h: the interrupt descriptor table (lab 3). When the exceptions chapter is off, idt_init()
 * is an empty stub, so kmain calls it without any #if.
 */
#ifndef IDT_H
#define IDT_H

#if CONFIG_EXCEPTIONS
/* Fill the IDT with the exception entry points and load it with lidt. */
void idt_init(void);
#else
static inline void idt_init(void)
{
}
#endif /* CONFIG_EXCEPTIONS */

#endif /* IDT_H */
