/*
 * tss_init.c: filling the task-state segment (lab 4 reference solution).
 *
 * Every field is assigned on its own, so that nothing turns into a memset or memcpy call: first
 * all zeros, then IST1 and the I/O map base. The bitmap "starts" at sizeof(struct tss), one byte
 * past the TSS's limit, so there is none (SDM Vol. 1, "I/O Permission Bit Map").
 */
#include "gdt.h"
#include "panic.h"

void tss_init(struct tss *t, uint64_t ist1_top)
{
	t->reserved0 = 0;
	for (int i = 0; i < 3; i++)
		t->rsp[i] = 0;
	t->reserved1 = 0;
	for (int i = 0; i < 7; i++)
		t->ist[i] = 0;
	t->reserved2 = 0;
	t->reserved3 = 0;

	t->ist[IST_DOUBLE_FAULT - 1] = ist1_top; /* the slots are numbered from 1 */
	t->iomap_base = sizeof(struct tss);
}
