/*
 * boot.S: from GRUB's hand-off in 32-bit protected mode to kmain() in 64-bit long mode.
 *
 * GRUB loads the kernel at 1 MiB and jumps to _start with paging off, EAX holding the Multiboot2
 * magic and EBX the physical address of the boot information (Multiboot2 §3.3). This file:
 *   1. checks the magic, that CPUID exists and that the CPU has long mode, printing a readable
 *      error on VGA and COM1 otherwise;
 *   2. builds the boot page tables (see mm/layout.h for the picture):
 *        PML4[0]   -> identity map of 0..4 GiB, needed only while paging is switched on;
 *        PML4[256] -> the same tables: the direct map at DIRECT_MAP_BASE;
 *        PML4[511] -> the kernel image at KERNEL_VMA, 4 KiB pages over phys 0..4 MiB, leaving
 *                     the guard pages below the boot stack and the double-fault stack unmapped;
 *   3. enables PAE, sets EFER.LME, turns on paging (the CPU is now in long mode, compatibility
 *      submode), loads a GDT with a 64-bit code segment and far-jumps into it;
 *   4. reloads the data segment registers (SS too), jumps to the higher half, switches to the
 *      boot stack and calls kmain(multiboot info physical address) with RSP 16-byte aligned.
 * Everything before the jump to the higher half runs at its physical address.
 */
#include "layout.h"

#define MB2_HEADER_MAGIC 0xe85250d6 /* Multiboot2 §3.1.2 */
#define MB2_ARCH_I386 0             /* 32-bit protected-mode i386 entry */
#define MB2_BOOT_MAGIC 0x36d76289   /* in EAX at entry, Multiboot2 §3.3 */

#define EFLAGS_ID (1 << 21)   /* flippable iff CPUID exists, Intel SDM Vol. 1 §3.4.3.3 */
#define CPUID_EXT_LM (1 << 29) /* CPUID 0x80000001 EDX: long mode, SDM Vol. 2A CPUID */
#define CR0_PE (1 << 0)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define PTE_P 0x001  /* present */
#define PTE_W 0x002  /* writable */
#define PTE_PS 0x080 /* in a page directory entry: a 2 MiB page */

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10

#define PHYS(sym) ((sym) - KERNEL_VMA)

/* ------------------------------------------------------------------------------------------ */
	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	/* magic + architecture + length + checksum must be 0 modulo 2^32 */
	.long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	.short 0 /* end tag: type 0, flags 0, size 8 */
	.short 0
	.long 8
mb2_header_end:

/* ------------------------------------------------------------------------------------------ */
	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	mov %eax, %esi			/* keep magic and info pointer while .boot.bss is cleared */
	mov %ebx, %edx

	/* Clear the page tables and the early stack: nothing may depend on the loader doing it. */
	mov $__boot_bss_start, %edi
	mov $__boot_bss_end, %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl

	mov $boot_stack32_top, %esp
	mov %edx, boot_mbi

	cmp $MB2_BOOT_MAGIC, %esi
	jne .Lno_multiboot

	/* CPUID exists if software can flip EFLAGS.ID. */
	pushfl
	pop %eax
	mov %eax, %ecx
	xor $EFLAGS_ID, %eax
	push %eax
	popfl
	pushfl
	pop %eax
	push %ecx
	popfl				/* restore the original flags */
	cmp %eax, %ecx
	je .Lno_cpuid

	/* Long mode is reported by extended leaf 0x80000001, which must itself exist. */
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb .Lno_long_mode
	mov $0x80000001, %eax
	cpuid
	test $CPUID_EXT_LM, %edx
	jz .Lno_long_mode

	/* Clear the kernel's .bss (including the stacks) through its physical address. */
	mov $PHYS(__bss_start), %edi
	mov $PHYS(__bss_end), %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl

	/* Direct map (and identity map): 2048 entries of 2 MiB = 4 GiB, in four page directories. */
	mov $boot_pd_dm, %edi
	mov $(PTE_P | PTE_W | PTE_PS), %eax
	mov $2048, %ecx
1:	mov %eax, (%edi)
	movl $0, 4(%edi)		/* physical address bits 32..51 stay 0 below 4 GiB */
	add $0x200000, %eax
	add $8, %edi
	loop 1b

	mov $boot_pdpt_dm, %edi
	mov $(boot_pd_dm + PTE_P + PTE_W), %eax
	mov $4, %ecx
2:	mov %eax, (%edi)
	add $4096, %eax
	add $8, %edi
	loop 2b

	movl $(boot_pdpt_dm + PTE_P + PTE_W), boot_pml4		/* PML4[0]: identity */
	movl $(boot_pdpt_dm + PTE_P + PTE_W), boot_pml4 + 256 * 8	/* PML4[256]: direct map */

	/* Kernel image: phys 0..4 MiB in 4 KiB pages, except the guard page below the boot stack. */
	mov $boot_pt_hi, %edi
	mov $(PTE_P | PTE_W), %eax
	mov $1024, %ecx
3:	mov %eax, %ebx			/* EBX = this entry's physical address */
	and $~0xfff, %ebx
	cmp $PHYS(boot_stack_guard), %ebx
	je 4f				/* leave the guard page's entry 0: not present */
	cmp $PHYS(double_fault_stack_guard), %ebx
	je 4f				/* and the one below the double-fault stack (kernel.ld) */
	mov %eax, (%edi)
4:	add $4096, %eax
	add $8, %edi
	loop 3b

	movl $(boot_pt_hi + PTE_P + PTE_W), boot_pd_hi
	movl $(boot_pt_hi + 4096 + PTE_P + PTE_W), boot_pd_hi + 8
	movl $(boot_pd_hi + PTE_P + PTE_W), boot_pdpt_hi + 510 * 8	/* -2 GiB */
	movl $(boot_pdpt_hi + PTE_P + PTE_W), boot_pml4 + 511 * 8

	/* Switch on long mode: PAE, page tables, EFER.LME, then paging (SDM Vol. 3A §10.8.5). */
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_PE), %eax
	mov %eax, %cr0

	/* Long mode is active but we still run 32-bit code: load a GDT with a 64-bit code segment
	 * and far-jump to it. */
	lgdt boot_gdt_ptr32
	ljmp $SEL_KCODE, $boot_long_mode

/* Print the NUL-terminated message at ESI on VGA row 0 (white on red) and COM1, then stop. */
boot_fail:
	mov $0xb8000, %edi
1:	movzbl (%esi), %ebx
	test %ebx, %ebx
	jz 4f
	cmp $'\n', %ebx
	je 2f
	mov %bl, %al
	mov $0x4f, %ah
	mov %ax, (%edi)
	add $2, %edi
2:	mov $0x3fd, %dx			/* COM1 line status: wait for THR empty (bit 5) */
3:	inb %dx, %al
	test $0x20, %al
	jz 3b
	mov $0x3f8, %dx
	mov %bl, %al
	outb %al, %dx
	inc %esi
	jmp 1b
4:	mov $0xf4, %dx			/* isa-debug-exit, if present: QEMU exits with status 35 */
	mov $0x11, %eax
	outl %eax, %dx
5:	cli
	hlt
	jmp 5b

.Lno_multiboot:
	mov $msg_no_multiboot, %esi
	jmp boot_fail
.Lno_cpuid:
	mov $msg_no_cpuid, %esi
	jmp boot_fail
.Lno_long_mode:
	mov $msg_no_long_mode, %esi
	jmp boot_fail

	.code64
boot_long_mode:
	mov $SEL_KDATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss			/* a stale SS from GRUB would fault on the first iretq */
	mov %ax, %fs
	mov %ax, %gs
	lgdt boot_gdt_ptr64		/* the same GDT, seen through the direct map */
	mov boot_mbi, %edi		/* kmain's first argument (zero-extended) */
	movabs $boot_higher_half, %rax
	jmp *%rax

/* ------------------------------------------------------------------------------------------ */
	.section .boot.data, "aw"
	.balign 8
boot_gdt:
	.quad 0				/* null descriptor */
	.quad 0x00af9a000000ffff	/* 0x08: kernel code, 64-bit (L=1), DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x10: kernel data */
boot_gdt_end:
boot_gdt_ptr32:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt
	.balign 8
boot_gdt_ptr64:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt + DIRECT_MAP_BASE
	.balign 4
boot_mbi:
	.long 0

msg_no_multiboot:
	.asciz "boot: not started by a Multiboot2 loader (EAX lacks 0x36d76289); boot with GRUB\n"
msg_no_cpuid:
	.asciz "boot: this CPU has no CPUID instruction; an x86-64 CPU is required\n"
msg_no_long_mode:
	.asciz "boot: this CPU has no long mode (64-bit); try QEMU's -cpu qemu64\n"

	.section .boot.bss, "aw", @nobits
	.balign 4096
	.globl boot_pml4
boot_pml4:	.skip 4096
boot_pdpt_dm:	.skip 4096
boot_pd_dm:	.skip 4 * 4096
boot_pdpt_hi:	.skip 4096
boot_pd_hi:	.skip 4096
boot_pt_hi:	.skip 2 * 4096
boot_stack32:	.skip 1024
boot_stack32_top:

/* ------------------------------------------------------------------------------------------ */
	.text
	.cfi_sections .debug_frame		/* unwind info for GDB only (.eh_frame is discarded) */
	.globl boot_higher_half
	.type boot_higher_half, @function
boot_higher_half:
	.cfi_startproc
	.cfi_undefined rip			/* tell GDB's `bt` that the call chain ends here */
	mov $boot_stack_top, %rsp
	xor %ebp, %ebp			/* end of the frame-pointer chain for backtraces */
	call kmain
6:	cli				/* kmain never returns */
	hlt
	jmp 6b
	.cfi_endproc

/* The boot stack, with an unmapped guard page below it: overflowing it faults (lab 4). */
	.section .stack.boot, "aw", @nobits
	.balign 4096
	.globl boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:
	.skip 4096
boot_stack_bottom:
	.skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
