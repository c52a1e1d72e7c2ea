// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI table builder (ACPI 6.5, 5.2).  The tables are laid out one after
 * the other from the base, 16-byte aligned (the FACS 64-byte aligned,
 * 5.2.10), each header filled per 5.2.6 and its checksum set last so that
 * the sum of the whole table is 0.  Both the 32-bit RSDT and the XSDT are
 * given (the RSDP's revision 2 points at both, 5.2.5.3); the FADT fills
 * the 32-bit block addresses and the X_ Generic Address Structures with
 * the same values (ACPICA warns on a mismatch), and only FIRMWARE_CTRL,
 * not X_FIRMWARE_CTRL, as 5.2.9 asks when the FACS is below 4 GiB.
 */
#include <string.h>

#include "acpi.h"
#include "acpi_aml.h"

#define ACPI_REVISION_FADT	6
#define ACPI_FADT_MINOR		5
#define ACPI_REVISION_MADT	5
#define ACPI_REVISION_DSDT	2	/* 2: 64-bit integers (5.2.11.1) */

static void put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	put16(p, off, (uint16_t)v);
	put16(p, off + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, size_t off, uint64_t v)
{
	put32(p, off, (uint32_t)v);
	put32(p, off + 4, (uint32_t)(v >> 32));
}

uint8_t acpi_sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* The system description table header (5.2.6); checksum at offset 9. */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t, 4, len);
	t[8] = rev;
	t[9] = 0;
	memcpy(t + 10, ACPI_OEM_ID, 6);
	memcpy(t + 16, ACPI_OEM_TABLE_ID, 8);
	put32(t, 24, 1);			/* OEM revision */
	memcpy(t + 28, ACPI_CREATOR_ID, 4);
	put32(t, 32, 1);			/* creator revision */
}

static void checksum(uint8_t *t, size_t len, size_t at)
{
	t[at] = 0;
	t[at] = (uint8_t)(0x100 - acpi_sum(t, len));
}

/* Generic Address Structure (5.2.3.2) for a block in I/O space. */
static void gas_io(uint8_t *p, size_t off, uint16_t port, uint8_t bits,
		   uint8_t access)
{
	p[off] = GAS_SPACE_IO;
	p[off + 1] = bits;
	p[off + 2] = 0;				/* bit offset */
	p[off + 3] = access;
	put64(p, off + 4, port);
}

/* Resource data types (ACPI 6.5, 6.4). */
#define RES_IO_PORT		0x47	/* 6.4.2.5, small, 7 bytes */
#define RES_END_TAG		0x79	/* 6.4.2.9, small, 1 byte */
#define RES_DWORD_ADDR		0x87	/* 6.4.3.5.2, large, 23 bytes */
#define RES_WORD_ADDR		0x88	/* 6.4.3.5.3, large, 13 bytes */
#define RES_TYPE_MEM		0
#define RES_TYPE_IO		1
#define RES_TYPE_BUS		2
/* General flags (tables 6.50/6.51): _MIF and _MAF fixed; bit 0 clear:
 * the bridge produces the range for the devices below it. */
#define RES_FIXED_WINDOW	0x0c

static size_t res_word(uint8_t *p, uint8_t type, uint8_t type_flags,
		       uint16_t min, uint16_t max)
{
	p[0] = RES_WORD_ADDR;
	put16(p, 1, 13);
	p[3] = type;
	p[4] = RES_FIXED_WINDOW;
	p[5] = type_flags;
	put16(p, 6, 0);				/* granularity */
	put16(p, 8, min);
	put16(p, 10, max);
	put16(p, 12, 0);			/* translation offset */
	put16(p, 14, (uint16_t)(max - min + 1));
	return 16;
}

/*
 * \_SB.PCI0's _CRS (6.2.2; what Linux's pci_acpi_scan_root() takes as
 * the root bus's windows): bus numbers 0-0xff, the configuration ports
 * it decodes itself, the I/O ports below and above them and the MMIO
 * window where vmctl places BARs.
 */
static size_t pci_crs(const struct acpi_board *b, uint8_t *p)
{
	size_t n = 0;

	n += res_word(p + n, RES_TYPE_BUS, 0, 0, 0xff);
	/* The host bridge's own ports: I/O port descriptor, 16-bit decode. */
	p[n] = RES_IO_PORT;
	p[n + 1] = 1;
	put16(p, n + 2, b->pci_cfg_port);
	put16(p, n + 4, b->pci_cfg_port);
	p[n + 6] = 1;				/* alignment */
	p[n + 7] = 8;				/* length */
	n += 8;
	/* I/O windows (table 6.53: 3 = ISA and non-ISA ranges). */
	n += res_word(p + n, RES_TYPE_IO, 3, 0, (uint16_t)(b->pci_cfg_port - 1));
	n += res_word(p + n, RES_TYPE_IO, 3, (uint16_t)(b->pci_cfg_port + 8),
		      0xffff);
	/* The MMIO window: read-write, non-cacheable (table 6.52). */
	p[n] = RES_DWORD_ADDR;
	put16(p, n + 1, 23);
	p[n + 3] = RES_TYPE_MEM;
	p[n + 4] = RES_FIXED_WINDOW;
	p[n + 5] = 0x01;
	put32(p, n + 6, 0);
	put32(p, n + 10, b->pci_mmio_base);
	put32(p, n + 14, b->pci_mmio_end);
	put32(p, n + 18, 0);
	put32(p, n + 22, b->pci_mmio_end - b->pci_mmio_base + 1);
	n += 26;
	p[n] = RES_END_TAG;
	p[n + 1] = 0;			/* checksum 0: "treat as correct" */
	return n + 2;
}

/*
 * \_SB.PCI0: a PCI root bridge (6.1.5 _HID PNP0A03 -- conventional PCI:
 * no ECAM, so none of PNP0A08's PCIe features or _OSC), its bus number
 * (_BBN, 6.5.5), resources and interrupt routing.  _PRT (6.2.13): one
 * entry per slot and pin, address 0xSSSSFFFF (any function of slot S),
 * source 0 and a GSI as the source index: a GSI without a link device
 * is level-triggered, active-low, as PCI interrupts are (6.2.13, PCI
 * 3.0 2.2.6).  Pins are swizzled over the GSIs the usual way.
 */
static void pci_root(const struct acpi_board *b, struct aml *a)
{
	uint8_t crs[128];
	unsigned int slot, pin;

	aml_scope_begin(a, "\\_SB");
	aml_device_begin(a, "PCI0");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0A03");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_BBN");
	aml_integer(a, 0);
	aml_name(a, "_CRS");
	aml_buffer(a, crs, pci_crs(b, crs));
	aml_name(a, "_PRT");
	aml_package_begin(a, 31 * 4);
	for (slot = 1; slot < 32; slot++) {
		for (pin = 0; pin < 4; pin++) {
			aml_package_begin(a, 4);
			aml_integer(a, (uint64_t)slot << 16 | 0xffff);
			aml_integer(a, pin);
			aml_integer(a, 0);
			aml_integer(a, b->pci_gsi_base +
				    (slot + pin) % b->pci_gsi_count);
			aml_end(a);
		}
	}
	aml_end(a);
	aml_end(a);
	aml_end(a);
}

size_t acpi_dsdt_aml(const struct acpi_board *b, uint8_t *buf, size_t cap)
{
	struct aml a;

	aml_init(&a, buf, cap);
	/*
	 * \_S5 (7.4.2.6, "\_S5 (Soft Off)"): the SLP_TYP values for PM1a_CNT
	 * and PM1b_CNT, then two reserved integers.  OSPM writes SLP_TYP
	 * with SLP_EN to PM1a_CNT to power off (4.8.3.2.1, 16.1.7).
	 */
	aml_name(&a, "_S5");
	aml_package_begin(&a, 4);
	aml_integer(&a, b->slp_typ_s5);
	aml_integer(&a, b->slp_typ_s5);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_end(&a);
	if (b->pci)
		pci_root(b, &a);
	return a.overflow ? 0 : a.len;
}

struct area {
	uint8_t *p;
	uint64_t base;
	size_t size, used;
	bool full;
};

/* Reserve @len bytes aligned to @align; returns the offset. */
static size_t take(struct area *ar, size_t len, size_t align)
{
	size_t at = (ar->used + align - 1) & ~(align - 1);

	if (at + len > ar->size) {
		ar->full = true;
		return 0;
	}
	ar->used = at + len;
	return at;
}

static uint32_t madt_len(const struct acpi_board *b)
{
	return ACPI_HDR_LEN + 8 + b->ncpus * MADT_LAPIC_LEN + MADT_IOAPIC_LEN +
	       2 * MADT_ISO_LEN + MADT_LAPIC_NMI_LEN;
}

static void build_madt(const struct acpi_board *b, uint8_t *t)
{
	uint32_t len = madt_len(b);
	size_t o = ACPI_HDR_LEN;
	unsigned int i;

	header(t, "APIC", len, ACPI_REVISION_MADT);
	put32(t, o, b->lapic_addr);		/* Local Interrupt Controller */
	put32(t, o + 4, MADT_PCAT_COMPAT);	/* Address, Flags (table 5.20) */
	o += 8;
	/* One Processor Local APIC per vCPU (5.2.12.2, table 5.22): UID =
	 * APIC ID = vCPU id, flags Enabled. */
	for (i = 0; i < b->ncpus; i++, o += MADT_LAPIC_LEN) {
		t[o] = MADT_LAPIC;
		t[o + 1] = MADT_LAPIC_LEN;
		t[o + 2] = (uint8_t)i;
		t[o + 3] = (uint8_t)i;
		put32(t, o + 4, 1);
	}
	/* The I/O APIC (5.2.12.3, table 5.24): all GSIs from 0. */
	t[o] = MADT_IOAPIC;
	t[o + 1] = MADT_IOAPIC_LEN;
	t[o + 2] = b->ioapic_id;
	t[o + 3] = 0;
	put32(t, o + 4, b->ioapic_addr);
	put32(t, o + 8, 0);
	o += MADT_IOAPIC_LEN;
	/* Interrupt Source Overrides (5.2.12.5, table 5.25): the PIT's ISA
	 * IRQ 0 is on GSI 2 (flags 0: conforms to the ISA bus, edge high);
	 * the SCI is level-triggered, active high, on GSI 9. */
	t[o] = MADT_ISO;
	t[o + 1] = MADT_ISO_LEN;
	t[o + 2] = 0;				/* bus 0: ISA */
	t[o + 3] = 0;				/* source IRQ */
	put32(t, o + 4, 2);			/* GSI */
	put16(t, o + 8, 0);
	o += MADT_ISO_LEN;
	t[o] = MADT_ISO;
	t[o + 1] = MADT_ISO_LEN;
	t[o + 2] = 0;
	t[o + 3] = (uint8_t)b->sci_irq;
	put32(t, o + 4, b->sci_irq);
	put16(t, o + 8, MPS_INTI_ACTIVE_HIGH | MPS_INTI_LEVEL);
	o += MADT_ISO_LEN;
	/* LINT1 of every local APIC is the NMI input (5.2.12.7, table
	 * 5.28; UID 0xff = all processors), as on a PC. */
	t[o] = MADT_LAPIC_NMI;
	t[o + 1] = MADT_LAPIC_NMI_LEN;
	t[o + 2] = 0xff;
	put16(t, o + 3, 0);
	t[o + 5] = 1;
	checksum(t, len, 9);
}

static void build_fadt(const struct acpi_board *b, uint8_t *t, uint64_t facs,
		       uint64_t dsdt)
{
	header(t, "FACP", ACPI_FADT_LEN, ACPI_REVISION_FADT);
	put32(t, FADT_FIRMWARE_CTRL, (uint32_t)facs);
	put32(t, FADT_DSDT, (uint32_t)dsdt);
	t[45] = 0;				/* Preferred_PM_Profile: unspecified */
	put16(t, FADT_SCI_INT, b->sci_irq);
	/* SMI_CMD 0: the hardware is always in ACPI mode (SCI_EN reads 1,
	 * 4.8.3.2.1), there is nothing to switch. */
	put32(t, FADT_SMI_CMD, 0);
	put32(t, FADT_PM1A_EVT_BLK, b->pm1a_evt);
	put32(t, FADT_PM1A_CNT_BLK, b->pm1a_cnt);
	put32(t, FADT_PM_TMR_BLK, b->pm_tmr);
	t[FADT_PM1_EVT_LEN] = 4;
	t[FADT_PM1_CNT_LEN] = 2;
	t[FADT_PM_TMR_LEN] = 4;
	/* No GPE blocks (lengths 0), no C2/C3 (latencies above 100/1000). */
	put16(t, FADT_P_LVL2_LAT, 101);
	put16(t, FADT_P_LVL3_LAT, 1001);
	t[FADT_CENTURY] = b->century;
	/* ISA devices (COM1, RTC, PIT) present; no VGA; no 8042 keyboard
	 * controller (vmctl's has the reset line only), so Linux does not
	 * probe one. */
	put16(t, FADT_IAPC_BOOT_ARCH,
	      FADT_BOOT_LEGACY_DEVICES | FADT_BOOT_NO_VGA);
	put32(t, FADT_FLAGS, FADT_F_WBINVD | FADT_F_PROC_C1 |
	      FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON | FADT_F_FIX_RTC |
	      FADT_F_TMR_VAL_EXT | FADT_F_RESET_REG_SUP);
	gas_io(t, FADT_RESET_REG, b->reset_port, 8, GAS_ACCESS_BYTE);
	t[FADT_RESET_VALUE] = b->reset_value;
	t[FADT_MINOR_VERSION] = ACPI_FADT_MINOR;
	put64(t, FADT_X_FIRMWARE_CTRL, 0);
	put64(t, FADT_X_DSDT, dsdt);
	gas_io(t, FADT_X_PM1A_EVT_BLK, b->pm1a_evt, 32, GAS_ACCESS_WORD);
	gas_io(t, FADT_X_PM1A_CNT_BLK, b->pm1a_cnt, 16, GAS_ACCESS_WORD);
	gas_io(t, FADT_X_PM_TMR_BLK, b->pm_tmr, 32, GAS_ACCESS_DWORD);
	checksum(t, ACPI_FADT_LEN, 9);
}

int acpi_build(const struct acpi_board *b, uint8_t *area, uint64_t base_gpa,
	       size_t size, struct acpi_layout *out)
{
	struct area ar = { .p = area, .base = base_gpa, .size = size };
	uint8_t aml[ACPI_DSDT_AML_MAX];
	size_t rsdp, rsdt, xsdt, fadt, facs, dsdt, madt, aml_len;
	uint8_t *t;

	memset(out, 0, sizeof(*out));
	if (base_gpa & 0xf || base_gpa + size > (1ull << 32) || !b->ncpus ||
	    b->ncpus > 255)
		return -1;
	aml_len = acpi_dsdt_aml(b, aml, sizeof(aml));
	if (!aml_len)
		return -1;
	memset(area, 0, size);
	rsdp = take(&ar, ACPI_RSDP_LEN, 16);
	out->rsdt_len = ACPI_HDR_LEN + 2 * 4;
	out->xsdt_len = ACPI_HDR_LEN + 2 * 8;
	out->dsdt_len = (uint32_t)(ACPI_HDR_LEN + aml_len);
	out->madt_len = madt_len(b);
	rsdt = take(&ar, out->rsdt_len, 16);
	xsdt = take(&ar, out->xsdt_len, 16);
	facs = take(&ar, ACPI_FACS_LEN, 64);
	fadt = take(&ar, ACPI_FADT_LEN, 16);
	dsdt = take(&ar, out->dsdt_len, 16);
	madt = take(&ar, out->madt_len, 16);
	if (ar.full)
		return -1;
	out->rsdp = base_gpa + rsdp;
	out->rsdt = base_gpa + rsdt;
	out->xsdt = base_gpa + xsdt;
	out->facs = base_gpa + facs;
	out->fadt = base_gpa + fadt;
	out->dsdt = base_gpa + dsdt;
	out->madt = base_gpa + madt;
	out->used = (uint32_t)ar.used;

	/* FACS (5.2.10, table 5.14): no checksum, no global lock users
	 * (nothing in the DSDT takes it), version 2. */
	t = area + facs;
	memcpy(t, "FACS", 4);
	put32(t, 4, ACPI_FACS_LEN);
	t[32] = 2;

	t = area + dsdt;
	header(t, "DSDT", out->dsdt_len, ACPI_REVISION_DSDT);
	memcpy(t + ACPI_HDR_LEN, aml, aml_len);
	checksum(t, out->dsdt_len, 9);

	build_fadt(b, area + fadt, out->facs, out->dsdt);
	build_madt(b, area + madt);

	/* RSDT (5.2.7) and XSDT (5.2.8): the FADT first, then the MADT. */
	t = area + rsdt;
	header(t, "RSDT", out->rsdt_len, 1);
	put32(t, ACPI_HDR_LEN, (uint32_t)out->fadt);
	put32(t, ACPI_HDR_LEN + 4, (uint32_t)out->madt);
	checksum(t, out->rsdt_len, 9);
	t = area + xsdt;
	header(t, "XSDT", out->xsdt_len, 1);
	put64(t, ACPI_HDR_LEN, out->fadt);
	put64(t, ACPI_HDR_LEN + 8, out->madt);
	checksum(t, out->xsdt_len, 9);

	/* RSDP (5.2.5.3, table 5.3): revision 2; the first checksum covers
	 * the ACPI 1.0 part (20 bytes), the extended one all 36. */
	t = area + rsdp;
	memcpy(t, "RSD PTR ", 8);
	memcpy(t + 9, ACPI_OEM_ID, 6);
	t[15] = 2;
	put32(t, 16, (uint32_t)out->rsdt);
	put32(t, 20, ACPI_RSDP_LEN);
	put64(t, 24, out->xsdt);
	checksum(t, 20, 8);
	checksum(t, ACPI_RSDP_LEN, 32);
	return 0;
}
