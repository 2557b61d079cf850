/*
 * multiboot.h: what GRUB tells the kernel, read from the Multiboot2 boot information.
 */
#ifndef MULTIBOOT_H
#define MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

/* One memory map entry (Multiboot2 §3.6.8). */
struct mb2_mmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type; /* MB2_MEMORY_* */
	uint32_t reserved;
};

#define MB2_MEMORY_AVAILABLE 1

/* The facts the rest of the kernel uses. Strings point into the boot information. */
struct boot_info {
	const char *cmdline;     /* kernel command line, "" if none */
	const char *loader_name; /* for example "GRUB 2.06" */
	const struct mb2_mmap_entry *mmap; /* memory map entries, each mmap_entry_size bytes */
	size_t mmap_count;
	size_t mmap_entry_size;
	uint64_t usable_bytes; /* sum of the available regions */
	paddr_t info_start, info_end; /* where the boot information itself lies */
};

extern struct boot_info boot_info;

/* Parse the boot information at physical address mbi into boot_info. */
void multiboot_parse(paddr_t mbi);

#endif /* MULTIBOOT_H */
