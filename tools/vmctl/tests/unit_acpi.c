// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI tables (acpi.c) and the AML encoder (acpi_aml.c): every table's
 * checksum and length, the RSDP's two checksums and its RSDT/XSDT
 * pointers, the XSDT's and RSDT's entries, the FADT fields Linux uses for
 * S5 and reset, the MADT's entries for 1, 2, 4, 8 and 64 CPUs, the exact
 * AML bytes of \_S5 and the PkgLength encodings.  When iasl (acpica-tools)
 * is installed, it disassembles each table and must report no error,
 * warning or checksum complaint.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../acpi.h"
#include "../acpi_aml.h"
#include "../pc_board.h"
#include "unit.h"

static uint8_t area[ACPI_TABLES_SIZE];

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static const uint8_t *at(uint64_t gpa)
{
	return area + (gpa - ACPI_TABLES_BASE);
}

static bool table_ok(uint64_t gpa, const char *sig, uint32_t len)
{
	const uint8_t *t = at(gpa);

	return !memcmp(t, sig, 4) && get32(t + 4) == len &&
	       acpi_sum(t, len) == 0 && !memcmp(t + 10, ACPI_OEM_ID, 6);
}

static void build(unsigned int ncpus, struct acpi_layout *l)
{
	struct acpi_board b;

	pc_board_acpi(&b, ncpus);
	CHECK(acpi_build(&b, area, ACPI_TABLES_BASE, sizeof(area), l) == 0,
	      "acpi_build_fits_in_bios_area");
}

/* The MADT for @n CPUs: one Local APIC per CPU with APIC ID = UID = id,
 * enabled; then the I/O APIC, two overrides and the LINT1 NMI. */
static bool madt_ok(unsigned int n)
{
	struct acpi_layout l;
	const uint8_t *t, *e, *end;
	unsigned int cpus = 0, ioapics = 0, isos = 0, nmis = 0;
	bool good = true;

	build(n, &l);
	t = at(l.madt);
	if (!table_ok(l.madt, "APIC", l.madt_len) ||
	    l.madt_len != 36 + 8 + 8 * n + 12 + 2 * 10 + 6 ||
	    get32(t + 36) != 0xfee00000 || get32(t + 40) != MADT_PCAT_COMPAT)
		return false;
	end = t + l.madt_len;
	for (e = t + 44; e < end && e[1]; e += e[1]) {
		switch (e[0]) {
		case MADT_LAPIC:
			good &= e[1] == 8 && e[2] == cpus && e[3] == cpus &&
				get32(e + 4) == 1;
			cpus++;
			break;
		case MADT_IOAPIC:
			good &= e[1] == 12 && e[2] == n &&
				get32(e + 4) == 0xfec00000 && get32(e + 8) == 0;
			ioapics++;
			break;
		case MADT_ISO:
			good &= e[1] == 10 && e[2] == 0;
			if (isos == 0)
				good &= e[3] == 0 && get32(e + 4) == 2 &&
					get16(e + 8) == 0;
			else
				good &= e[3] == 9 && get32(e + 4) == 9 &&
					get16(e + 8) == 0x000d;
			isos++;
			break;
		case MADT_LAPIC_NMI:
			good &= e[1] == 6 && e[2] == 0xff && get16(e + 3) == 0 &&
				e[5] == 1;
			nmis++;
			break;
		default:
			good = false;
		}
	}
	return good && e == end && cpus == n && ioapics == 1 && isos == 2 &&
	       nmis == 1;
}

static bool aml_is(const struct aml *a, const uint8_t *want, size_t n)
{
	return !a->overflow && a->len == n && !memcmp(a->buf, want, n);
}

static void unit_aml(void)
{
	static const uint8_t s5[] = {
		0x08, '_', 'S', '5', '_',		/* Name (_S5, */
		0x12, 0x08, 0x04,			/* Package (4) { */
		0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,	/* 5, 5, 0, 0 } */
	};
	static const uint8_t ints[] = {
		0x00, 0x01, 0x0a, 0x02, 0x0a, 0xff, 0x0b, 0x00, 0x01,
		0x0c, 0x00, 0x00, 0x01, 0x00,
		0x0e, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	};
	static const uint8_t method[] = {
		0x10, 0x10, '\\', '_', 'S', 'B', '_',	/* Scope (\_SB) { */
		0x14, 0x09, '_', 'S', 'T', 'A', 0x00,	/* Method (_STA) { */
		0xa4, 0x0a, 0x0f,			/* Return (0xf) }} */
	};
	uint8_t buf[512], small[4];
	struct acpi_board b;
	struct aml a;
	unsigned int i;

	pc_board_acpi(&b, 1);
	b.pci = false;
	CHECK(acpi_dsdt_aml(&b, buf, sizeof(buf)) == sizeof(s5) &&
	      !memcmp(buf, s5, sizeof(s5)), "aml_s5_package_bytes");

	aml_init(&a, buf, sizeof(buf));
	aml_integer(&a, 0);
	aml_integer(&a, 1);
	aml_integer(&a, 2);
	aml_integer(&a, 0xff);
	aml_integer(&a, 0x100);
	aml_integer(&a, 0x10000);
	aml_integer(&a, 0x100000000ull);
	CHECK(aml_is(&a, ints, sizeof(ints)), "aml_integers_shortest_encoding");

	aml_init(&a, buf, sizeof(buf));
	aml_scope_begin(&a, "\\_SB");
	aml_method_begin(&a, "_STA", 0);
	aml_return(&a);
	aml_integer(&a, 0xf);
	aml_end(&a);
	aml_end(&a);
	CHECK(aml_is(&a, method, sizeof(method)), "aml_scope_method_return_bytes");

	/* 62 bytes of contents + 1 length byte = 63: still one byte; 63 +
	 * 2 = 65 needs the two-byte form 0x41 0x04 (bits 3:0 = 1, then 4). */
	aml_init(&a, buf, sizeof(buf));
	aml_package_begin(&a, 61);
	for (i = 0; i < 61; i++)
		aml_integer(&a, 0);
	aml_end(&a);
	CHECK(!a.overflow && a.len == 64 && buf[1] == 63,
	      "aml_pkglength_63_is_one_byte");
	aml_init(&a, buf, sizeof(buf));
	aml_package_begin(&a, 62);
	for (i = 0; i < 62; i++)
		aml_integer(&a, 0);
	aml_end(&a);
	CHECK(!a.overflow && a.len == 66 && buf[1] == 0x41 && buf[2] == 0x04 &&
	      buf[3] == 62, "aml_pkglength_65_is_two_bytes");
	aml_init(&a, buf, sizeof(buf));
	aml_name(&a, "\\_SB.PCI0.S08");
	CHECK(!a.overflow && a.len == 16 && buf[1] == '\\' && buf[2] == 0x2f &&
	      buf[3] == 3 && !memcmp(buf + 4, "_SB_PCI0S08_", 12),
	      "aml_multi_segment_name");
	aml_init(&a, small, sizeof(small));
	aml_name(&a, "_S5");
	CHECK(a.overflow && a.len == 4, "aml_overflow_is_reported");
}

static bool has(const uint8_t *p, size_t n, const void *what, size_t len)
{
	size_t i;

	for (i = 0; i + len <= n; i++)
		if (!memcmp(p + i, what, len))
			return true;
	return false;
}

/*
 * The SMP PC's PCI root bridge after \_S5: Scope (\_SB) { Device (PCI0)
 * with _HID EisaId ("PNP0A03") (bytes 41 d0 0a 03), _CRS with the MMIO
 * window 0xc0000000-0xfebfffff and _PRT's 124 entries, slot 1 INTA on
 * GSI 17.
 */
static void unit_pci_root(void)
{
	static const uint8_t hid[] = { 0x08, '_', 'H', 'I', 'D', 0x0c,
				       0x41, 0xd0, 0x0a, 0x03 };
	static const uint8_t win[] = { 0x87, 23, 0, 0, 0x0c, 0x01, 0, 0, 0, 0,
				       0, 0, 0, 0xc0, 0xff, 0xff, 0xbf, 0xfe };
	static const uint8_t prt1[] = { 0x12, 0x0b, 0x04, 0x0c, 0xff, 0xff,
					0x01, 0x00, 0x00, 0x00, 0x0a, 0x11 };
	static uint8_t buf[ACPI_DSDT_AML_MAX];
	struct acpi_board b;
	size_t n;

	pc_board_acpi(&b, 2);
	n = acpi_dsdt_aml(&b, buf, sizeof(buf));
	CHECK(n > 0 && has(buf, n, "\x10", 1) &&
	      has(buf, n, "\x5b\x82", 2) && has(buf, n, "PCI0", 4),
	      "dsdt_pci0_device_in_sb_scope");
	CHECK(has(buf, n, hid, sizeof(hid)), "dsdt_pci0_hid_is_pnp0a03");
	CHECK(has(buf, n, win, sizeof(win)), "dsdt_pci0_crs_mmio_window");
	CHECK(has(buf, n, "_PRT\x12", 5) && has(buf, n, prt1, sizeof(prt1)),
	      "dsdt_pci0_prt_slot1_inta_gsi17");
	CHECK(acpi_dsdt_aml(&b, buf, 64) == 0, "dsdt_pci0_overflow_is_reported");
}

/* iasl -d on one table: exit status 0 and no complaint in its output. */
static void iasl_check(const char *name, uint64_t gpa, uint32_t len)
{
	char dir[] = "/tmp/vmctl-acpi.XXXXXX", cmd[512], test[80];
	FILE *f;
	int st;

	snprintf(test, sizeof(test), "iasl_disassembles_%s_cleanly", name);
	if (!mkdtemp(dir)) {
		CHECK(0, test);
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s/%s.dat", dir, name);
	f = fopen(cmd, "wb");
	if (f) {
		fwrite(at(gpa), 1, len, f);
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "cd %s && iasl -d %s.dat >log 2>&1 && "
		 "! grep -Eiq 'error|warning|invalid|incorrect' log %s.dsl",
		 dir, name, name);
	st = system(cmd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		st = -1;
	CHECK(st == 0, test);
}

void unit_acpi(void)
{
	static const unsigned int counts[] = { 1, 2, 4, 8, 64 };
	struct acpi_layout l;
	const uint8_t *r, *t;
	char name[64];
	unsigned int i;

	unit_aml();
	unit_pci_root();
	build(4, &l);
	r = at(l.rsdp);
	CHECK(l.rsdp == ACPI_TABLES_BASE && !memcmp(r, "RSD PTR ", 8) &&
	      r[15] == 2 && get32(r + 20) == 36, "rsdp_v2_at_bios_area_base");
	CHECK(acpi_sum(r, 20) == 0, "rsdp_acpi1_checksum_over_20_bytes");
	CHECK(acpi_sum(r, 36) == 0, "rsdp_extended_checksum_over_36_bytes");
	CHECK(get32(r + 16) == l.rsdt && get64(r + 24) == l.xsdt,
	      "rsdp_points_at_rsdt_and_xsdt");
	CHECK(table_ok(l.xsdt, "XSDT", 52) && get64(at(l.xsdt) + 36) == l.fadt &&
	      get64(at(l.xsdt) + 44) == l.madt, "xsdt_lists_fadt_and_madt");
	CHECK(table_ok(l.rsdt, "RSDT", 44) && get32(at(l.rsdt) + 36) == l.fadt &&
	      get32(at(l.rsdt) + 40) == l.madt, "rsdt_lists_fadt_and_madt");
	CHECK(l.used <= ACPI_TABLES_SIZE && l.facs % 64 == 0 &&
	      !memcmp(at(l.facs), "FACS", 4) && get32(at(l.facs) + 4) == 64,
	      "facs_64_byte_aligned");

	t = at(l.fadt);
	CHECK(table_ok(l.fadt, "FACP", ACPI_FADT_LEN) && t[8] == 6 &&
	      t[FADT_MINOR_VERSION] == 5, "fadt_revision_6_5_checksum");
	CHECK(get32(t + FADT_DSDT) == l.dsdt && get64(t + FADT_X_DSDT) == l.dsdt &&
	      get32(t + FADT_FIRMWARE_CTRL) == l.facs &&
	      get64(t + FADT_X_FIRMWARE_CTRL) == 0, "fadt_points_at_dsdt_and_facs");
	CHECK(get16(t + FADT_SCI_INT) == 9 && get32(t + FADT_SMI_CMD) == 0,
	      "fadt_sci_irq9_no_smi_cmd");
	CHECK(get32(t + FADT_PM1A_EVT_BLK) == ACPI_PM_BASE &&
	      get32(t + FADT_PM1A_CNT_BLK) == ACPI_PM_BASE + ACPI_PM1_CNT &&
	      get32(t + FADT_PM_TMR_BLK) == ACPI_PM_BASE + ACPI_PM_TMR &&
	      t[FADT_PM1_EVT_LEN] == 4 && t[FADT_PM1_CNT_LEN] == 2 &&
	      t[FADT_PM_TMR_LEN] == 4, "fadt_pm_blocks_in_io_space");
	CHECK(t[FADT_X_PM1A_CNT_BLK] == GAS_SPACE_IO &&
	      t[FADT_X_PM1A_CNT_BLK + 1] == 16 &&
	      get64(t + FADT_X_PM1A_CNT_BLK + 4) == ACPI_PM_BASE + ACPI_PM1_CNT &&
	      t[FADT_X_PM1A_EVT_BLK + 1] == 32 &&
	      get64(t + FADT_X_PM1A_EVT_BLK + 4) == ACPI_PM_BASE &&
	      t[FADT_X_PM_TMR_BLK + 1] == 32 &&
	      get64(t + FADT_X_PM_TMR_BLK + 4) == ACPI_PM_BASE + ACPI_PM_TMR,
	      "fadt_x_blocks_match_32bit_blocks_and_lengths");
	CHECK((get32(t + FADT_FLAGS) & FADT_F_RESET_REG_SUP) &&
	      t[FADT_RESET_REG] == GAS_SPACE_IO && t[FADT_RESET_REG + 1] == 8 &&
	      get64(t + FADT_RESET_REG + 4) == 0xcf9 && t[FADT_RESET_VALUE] == 6,
	      "fadt_reset_reg_is_port_0xcf9_value_6");
	CHECK(!(get32(t + FADT_FLAGS) & FADT_F_HW_REDUCED_ACPI) &&
	      (get32(t + FADT_FLAGS) & FADT_F_TMR_VAL_EXT) &&
	      (get16(t + FADT_IAPC_BOOT_ARCH) & FADT_BOOT_LEGACY_DEVICES) &&
	      !(get16(t + FADT_IAPC_BOOT_ARCH) & FADT_BOOT_8042) &&
	      t[FADT_CENTURY] == 0x32, "fadt_full_acpi_pc_with_legacy_devices");

	CHECK(table_ok(l.dsdt, "DSDT", l.dsdt_len) && at(l.dsdt)[8] == 2 &&
	      !memcmp(at(l.dsdt) + 36, "\x08_S5_\x12", 6),
	      "dsdt_checksum_and_s5_name");

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		snprintf(name, sizeof(name), "madt_entries_for_%u_cpus",
			 counts[i]);
		CHECK(madt_ok(counts[i]), name);
	}

	if (system("command -v iasl >/dev/null 2>&1") != 0) {
		printf("ok %u - iasl_checks # SKIP iasl (acpica-tools) not"
		       " installed\n", unit_passed + unit_failed + 1);
		unit_passed++;
		return;
	}
	build(8, &l);
	iasl_check("facp", l.fadt, ACPI_FADT_LEN);
	iasl_check("apic", l.madt, l.madt_len);
	iasl_check("dsdt", l.dsdt, l.dsdt_len);
	iasl_check("xsdt", l.xsdt, l.xsdt_len);
	iasl_check("rsdt", l.rsdt, l.rsdt_len);
	iasl_check("facs", l.facs, ACPI_FACS_LEN);
}
