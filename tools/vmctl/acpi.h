/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ACPI tables of vmctl's SMP PC (ACPI 6.5, chapter 5.2): RSDP, RSDT,
 * XSDT, FADT, FACS, DSDT and MADT, built into guest RAM in the BIOS area
 * where Linux's scan of 0xe0000-0xfffff finds the RSDP (5.2.5.1), and
 * whose address the Linux loader also puts into boot_params.acpi_rsdp_addr.
 *
 * The DSDT holds \_S5 and, on the SMP PC, the PCI root bridge \_SB.PCI0
 * (PNP0A03) with its resources (_CRS) and interrupt routing (_PRT).
 *
 * The FADT describes a full (not hardware-reduced) ACPI PC: an SCI on ISA
 * IRQ 9, PM1a event/control blocks and a 32-bit PM timer in I/O space
 * (dev_acpi_pm.c), the RESET_REG at port 0xcf9 (value 6) and the CMOS
 * century.  Hardware-reduced ACPI (5.2.9, flag HW_REDUCED_ACPI) would make
 * Linux drop the 8259s and the PIT, which the board keeps: Linux starts
 * in PIC mode and calibrates the local APIC timer against the PIT.
 *
 * Everything works on a buffer, so tests/unit_acpi.c checks the bytes.
 */
#ifndef VMCTL_ACPI_H
#define VMCTL_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the tables go: the 64 KiB BIOS area, reserved in the e820 map. */
#define ACPI_TABLES_BASE	0xf0000ull
#define ACPI_TABLES_SIZE	0x10000ull

#define ACPI_OEM_ID		"SVMHV "	/* 6 bytes */
#define ACPI_OEM_TABLE_ID	"VMCTLPC "	/* 8 bytes */
#define ACPI_CREATOR_ID		"VMCT"

#define ACPI_HDR_LEN		36	/* 5.2.6, table 5.4 */
#define ACPI_RSDP_LEN		36	/* 5.2.5.3, table 5.3 */
#define ACPI_FADT_LEN		276	/* 5.2.9, table 5.9 (revision 6) */
#define ACPI_FACS_LEN		64	/* 5.2.10, table 5.14 */

/* MADT structure types and lengths (5.2.12, table 5.21). */
#define MADT_LAPIC		0	/* 5.2.12.2 Processor Local APIC */
#define MADT_LAPIC_LEN		8
#define MADT_IOAPIC		1	/* 5.2.12.3 I/O APIC */
#define MADT_IOAPIC_LEN		12
#define MADT_ISO		2	/* 5.2.12.5 Interrupt Source Override */
#define MADT_ISO_LEN		10
#define MADT_LAPIC_NMI		4	/* 5.2.12.7 Local APIC NMI */
#define MADT_LAPIC_NMI_LEN	6
#define MADT_PCAT_COMPAT	0x1	/* MADT flags: dual 8259s present */
/* MPS INTI flags (table 5.26): polarity bits 1:0, trigger mode 3:2. */
#define MPS_INTI_ACTIVE_HIGH	0x1
#define MPS_INTI_LEVEL		0xc

/* FADT offsets (5.2.9, table 5.9). */
#define FADT_FIRMWARE_CTRL	36
#define FADT_DSDT		40
#define FADT_SCI_INT		46
#define FADT_SMI_CMD		48
#define FADT_PM1A_EVT_BLK	56
#define FADT_PM1A_CNT_BLK	64
#define FADT_PM_TMR_BLK		76
#define FADT_PM1_EVT_LEN	88
#define FADT_PM1_CNT_LEN	89
#define FADT_PM_TMR_LEN		91
#define FADT_P_LVL2_LAT		96
#define FADT_P_LVL3_LAT		98
#define FADT_CENTURY		108
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_MINOR_VERSION	131
#define FADT_X_FIRMWARE_CTRL	132
#define FADT_X_DSDT		140
#define FADT_X_PM1A_EVT_BLK	148
#define FADT_X_PM1A_CNT_BLK	172
#define FADT_X_PM_TMR_BLK	208

/* FADT fixed feature flags (table 5.10). */
#define FADT_F_WBINVD		(1u << 0)
#define FADT_F_PROC_C1		(1u << 2)
#define FADT_F_PWR_BUTTON	(1u << 4)	/* 1: no fixed power button */
#define FADT_F_SLP_BUTTON	(1u << 5)	/* 1: no fixed sleep button */
#define FADT_F_FIX_RTC		(1u << 6)	/* 1: no RTC wake status */
#define FADT_F_TMR_VAL_EXT	(1u << 8)	/* 32-bit PM timer */
#define FADT_F_RESET_REG_SUP	(1u << 10)
#define FADT_F_HW_REDUCED_ACPI	(1u << 20)
/* IA-PC boot architecture flags (table 5.11). */
#define FADT_BOOT_LEGACY_DEVICES (1u << 0)
#define FADT_BOOT_8042		(1u << 1)
#define FADT_BOOT_NO_VGA	(1u << 2)

/* Generic Address Structure (5.2.3.2, table 5.1). */
#define GAS_SPACE_IO		1
#define GAS_ACCESS_BYTE		1
#define GAS_ACCESS_WORD		2
#define GAS_ACCESS_DWORD	3

/* What the board offers, as the tables describe it. */
struct acpi_board {
	unsigned int ncpus;		/* Local APIC IDs 0..ncpus-1 */
	uint32_t lapic_addr;		/* 0xfee00000 */
	uint32_t ioapic_addr;
	uint8_t ioapic_id;
	uint16_t sci_irq;		/* ISA IRQ = GSI of the SCI */
	uint16_t pm1a_evt;		/* PM1a_EVT_BLK port (4 bytes) */
	uint16_t pm1a_cnt;		/* PM1a_CNT_BLK port (2 bytes) */
	uint16_t pm_tmr;		/* PM_TMR_BLK port (4 bytes) */
	uint16_t reset_port;		/* RESET_REG, 8 bits in I/O space */
	uint8_t reset_value;
	uint8_t slp_typ_s5;		/* SLP_TYP the \_S5 package names */
	uint8_t century;		/* CMOS index of the century */
	/* PCI bus 0 behind a host bridge, when @pci. */
	bool pci;
	uint16_t pci_cfg_port;		/* mechanism #1: 0xcf8, 8 ports */
	uint32_t pci_mmio_base;		/* MMIO window, inclusive end */
	uint32_t pci_mmio_end;
	uint32_t pci_gsi_base;		/* slot S's INTA#: base + S % count, */
	uint32_t pci_gsi_count;		/* INTB-D# the next ones (swizzle) */
};

/* Where each table went (guest-physical) and how long it is. */
struct acpi_layout {
	uint64_t rsdp, rsdt, xsdt, fadt, facs, dsdt, madt;
	uint32_t rsdt_len, xsdt_len, dsdt_len, madt_len;
	uint32_t used;			/* bytes from the base */
};

/*
 * Build every table into @area, which the guest sees at @base_gpa
 * (@size bytes; the RSDP is at @base_gpa, which must be 16-byte aligned
 * and below 4 GiB).  0, or -1 if the tables do not fit.
 */
int acpi_build(const struct acpi_board *b, uint8_t *area, uint64_t base_gpa,
	       size_t size, struct acpi_layout *out);
/* Room for the DSDT's AML body. */
#define ACPI_DSDT_AML_MAX	4096
/* The DSDT's AML body (after the header); length, or 0 if it did not fit. */
size_t acpi_dsdt_aml(const struct acpi_board *b, uint8_t *buf, size_t cap);
/* The 8-bit sum of @len bytes: 0 for a table with a good checksum. */
uint8_t acpi_sum(const uint8_t *p, size_t len);

#endif /* VMCTL_ACPI_H */
