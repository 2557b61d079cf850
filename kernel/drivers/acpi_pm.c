/*
 * acpi_pm.c: finding the ACPI PM timer (lab 5).
 *
 * The firmware leaves a "root system description pointer" (RSDP) on a 16-byte boundary in the
 * BIOS area 0xe0000..0xfffff (or in the first KiB of the extended BIOS data area). It points to
 * the RSDT, a table of 32-bit physical addresses of the other tables; the one whose signature is
 * "FACP", the fixed ACPI description table (FADT), holds the PM timer's port at byte 76
 * (ACPI spec §5.2.5.3, §5.2.7, §5.2.9). Every table is below 4 GiB, inside the direct map.
 */
#include <stddef.h>

#include "acpi_pm.h"
#include "layout.h"

#define BIOS_AREA_START  0xe0000
#define BIOS_AREA_END    0x100000
#define BDA_EBDA_SEGMENT 0x40e /* BIOS data area: the EBDA's segment (address >> 4) */
#define SDT_HEADER_SIZE  36    /* signature, length, revision, checksum, OEM fields */
#define FADT_PM_TMR_BLK  76

uint16_t acpi_pm_port;

static bool same(const uint8_t *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != (uint8_t)s[i])
			return false;
	}
	return true;
}

static uint32_t read32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The RSDP in [start, end), or NULL: the signature and a zero checksum over its 20 bytes. */
static const uint8_t *find_rsdp(paddr_t start, paddr_t end)
{
	for (paddr_t a = start; a + 20 <= end; a += 16) {
		const uint8_t *p = phys_to_virt(a);
		uint8_t sum = 0;

		if (!same(p, "RSD PTR ", 8))
			continue;
		for (int i = 0; i < 20; i++)
			sum = (uint8_t)(sum + p[i]);
		if (sum == 0)
			return p;
	}
	return NULL;
}

bool acpi_pm_init(void)
{
	const uint16_t *bda_ebda = phys_to_virt(BDA_EBDA_SEGMENT);
	paddr_t ebda = (paddr_t)*bda_ebda << 4;
	const uint8_t *rsdp, *rsdt;

	if (acpi_pm_port)
		return true;
	rsdp = ebda ? find_rsdp(ebda, ebda + 1024) : NULL;
	if (!rsdp)
		rsdp = find_rsdp(BIOS_AREA_START, BIOS_AREA_END);
	if (!rsdp)
		return false;
	rsdt = phys_to_virt(read32(rsdp + 16));
	if (!same(rsdt, "RSDT", 4))
		return false;
	for (uint32_t off = SDT_HEADER_SIZE; off + 4 <= read32(rsdt + 4); off += 4) {
		const uint8_t *t = phys_to_virt(read32(rsdt + off));

		if (same(t, "FACP", 4) && read32(t + 4) >= FADT_PM_TMR_BLK + 4) {
			acpi_pm_port = (uint16_t)read32(t + FADT_PM_TMR_BLK);
			return acpi_pm_port != 0;
		}
	}
	return false;
}
