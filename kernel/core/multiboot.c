/*
 * multiboot.c: reads the Multiboot2 boot information that GRUB leaves in memory.
 *
 * The information is a list of tags after an 8-byte header (total size, reserved). Each tag
 * starts with a type and a size and is padded to an 8-byte boundary; type 0 ends the list
 * (Multiboot2 §3.6). We keep only what the kernel needs: the command line, the boot loader's
 * name and the memory map. It is read through the direct map, since the kernel no longer keeps
 * low memory mapped.
 */
#include <stdint.h>

#include "multiboot.h"
#include "panic.h"

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MMAP 6

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

struct mb2_tag_mmap {
	uint32_t type;
	uint32_t size;
	uint32_t entry_size;
	uint32_t entry_version;
	/* entries follow */
};

struct boot_info boot_info = { .cmdline = "", .loader_name = "unknown" };

void multiboot_parse(paddr_t mbi)
{
	const uint8_t *start = phys_to_virt(mbi);
	uint32_t total = *(const uint32_t *)start;
	const uint8_t *p = start + 8;

	if (mbi & 7)
		panic("multiboot: boot information at %#lx is not 8-byte aligned", (unsigned long)mbi);
	boot_info.info_start = mbi;
	boot_info.info_end = mbi + total;
	while (p + sizeof(struct mb2_tag) <= start + total) {
		const struct mb2_tag *tag = (const struct mb2_tag *)p;

		if (tag->type == MB2_TAG_END)
			break;
		switch (tag->type) {
		case MB2_TAG_CMDLINE:
			boot_info.cmdline = (const char *)(tag + 1);
			break;
		case MB2_TAG_LOADER_NAME:
			boot_info.loader_name = (const char *)(tag + 1);
			break;
		case MB2_TAG_MMAP: {
			const struct mb2_tag_mmap *m = (const struct mb2_tag_mmap *)tag;

			boot_info.mmap = (const struct mb2_mmap_entry *)(m + 1);
			boot_info.mmap_entry_size = m->entry_size;
			boot_info.mmap_count = (m->size - sizeof(*m)) / m->entry_size;
			break;
		}
		}
		p += (tag->size + 7) & ~7u; /* tags are 8-byte aligned */
	}

	boot_info.usable_bytes = 0;
	for (size_t i = 0; i < boot_info.mmap_count; i++) {
		const struct mb2_mmap_entry *e = (const void *)((const uint8_t *)boot_info.mmap +
								 i * boot_info.mmap_entry_size);
		if (e->type == MB2_MEMORY_AVAILABLE)
			boot_info.usable_bytes += e->length;
	}
}
