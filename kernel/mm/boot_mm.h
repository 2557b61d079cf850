/*
 * boot_mm.h: adjustments to the page tables that boot.S built.
 */
#ifndef BOOT_MM_H
#define BOOT_MM_H

/* Remove the identity map of low memory, so that NULL and other low addresses fault. */
void boot_mm_drop_identity(void);

#endif /* BOOT_MM_H */
