/*
 * gdt_load.S: switch the CPU to a new GDT (lab 4).
 *
 * lgdt only tells the CPU where the table is. Each segment register keeps a hidden copy of the
 * descriptor it was last loaded from, so until a register is reloaded it still describes the old
 * table's segment. gdt_load() therefore reloads all of them. The data registers take a plain mov.
 * CS cannot be the target of a mov: it changes only with a far jump, far call or far return,
 * which load CS and RIP together. We use a far return (lretq), which pops RIP and then CS. So we
 * take our own return address off the stack, push the new CS, push the return address back on
 * top of it, and lretq lands in our caller, now on the new code segment. See
 * handouts/lab4-double-fault.md, section 7.
 */

	.text
	.globl gdt_load
	.type gdt_load, @function
/* void gdt_load(const struct descriptor_ptr *gdtr [rdi], uint16_t cs [si], uint16_t ds [dx]) */
gdt_load:
	lgdt (%rdi)

	/* SS matters most: iretq reloads SS from every trap frame, and a selector that does not
	 * name a writable data segment in the new table would fault there. */
	mov %dx, %ss
	mov %dx, %ds
	mov %dx, %es
	mov %dx, %fs			/* also zeroes the FS and GS bases (no per-CPU data yet) */
	mov %dx, %gs

	pop %rax			/* our return address */
	movzwl %si, %esi
	push %rsi			/* lretq pops RIP first, then CS: push them the other way */
	push %rax
	lretq				/* back in the caller, CS = cs */
	.size gdt_load, . - gdt_load

	.section .note.GNU-stack, "", @progbits
