/*
 * gdt.h: the kernel's own GDT and TSS, and the double-fault stack (lab 4). When the chapter is
 * off these are empty stubs, so callers carry no #if.
 */
#ifndef GDT_H
#define GDT_H

struct trap_frame;

#if CONFIG_DOUBLE_FAULT
/* Build and load the GDT and TSS, reload every segment register, and give the double-fault gate
 * its own stack through the IST. */
void gdt_init(void);

/* Called by trap_dispatch() for a double fault, before the report: prints the stack it runs on. */
void double_fault_note(const struct trap_frame *tf);
#else
static inline void gdt_init(void)
{
}
static inline void double_fault_note(const struct trap_frame *tf)
{
}
#endif /* CONFIG_DOUBLE_FAULT */

#endif /* GDT_H */
