// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux boot-protocol loader (loader_linux.c) on the real bzImage in
 * /boot: header fields, placement at pref_address, the zero page (setup
 * header copy, loader type, command line, initrd, e820 with and without
 * RAM above 4 GiB), boot page tables and GDT, the 64-bit entry state;
 * then damaged copies of the same image (each must fail with its own
 * sentence), and a minimal ELF vmlinux.
 */
#include <elf.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../loader_linux.h"
#include "unit.h"

#define RAM_SIZE	(256u << 20)

static uint8_t *ram_mem;
static char err[256];

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0) {
		buf = malloc((size_t)n);
		rewind(f);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static uint32_t rd32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint16_t rd16(const uint8_t *p, size_t off)
{
	uint16_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

/* Load @img into fresh RAM; the error sentence lands in err. */
static int load(const uint8_t *img, size_t len, uint64_t ram_size,
		uint64_t high, const void *initrd, size_t ilen,
		const char *cmdline, struct linux_boot *b)
{
	struct guest_ram ram = { ram_mem, ram_size, ram_size };

	memset(ram_mem, 0, 2u << 20);	/* the tables and zero page */
	err[0] = 0;
	return loader_linux(&ram, high, img, len, initrd, ilen, cmdline, b,
			    err, sizeof(err));
}

/* A damaged copy must fail, naming @what in its message: byte @off set
 * to @val (or, with @off32, the dword there to @val32), or the file cut
 * to @newlen bytes. */
static void damaged32(const uint8_t *img, size_t len, size_t off32,
		      uint32_t val32, size_t off, uint8_t val, size_t newlen,
		      const char *what, const char *name)
{
	uint8_t *copy = malloc(len);
	struct linux_boot b;
	int ret;

	if (!copy) {
		CHECK(0, name);
		return;
	}
	memcpy(copy, img, len);
	if (off32)
		memcpy(copy + off32, &val32, sizeof(val32));
	if (off)
		copy[off] = val;
	ret = load(copy, newlen ? newlen : len, RAM_SIZE, 0, NULL, 0, "", &b);
	if (!CHECK(ret < 0 && strstr(err, what), name))
		printf("#   message: \"%s\"\n", err);
	free(copy);
}

static void damaged(const uint8_t *img, size_t len, size_t off, uint8_t val,
		    size_t newlen, const char *what, const char *name)
{
	damaged32(img, len, 0, 0, off, val, newlen, what, name);
}

static void real_bzimage(const uint8_t *img, size_t len, const char *path)
{
	static const char cmd[] = "console=ttyS0 noapic nolapic acpi=off";
	uint32_t setup = (img[BP_SETUP_SECTS] ? img[BP_SETUP_SECTS] : 4) * 512 + 512;
	uint32_t syssize = rd32(img, BP_SYSSIZE) * 16;
	uint64_t pref = rd64(img, BP_PREF_ADDRESS);
	size_t ilen = 3u << 20;
	uint8_t *initrd = malloc(ilen), *zp = ram_mem + LINUX_ZERO_PAGE;
	struct svmhv_sregs sregs;
	struct svmhv_regs regs;
	struct linux_boot b;
	char *longcmd;
	size_t i;

	printf("# bzImage: %s\n", path);
	if (!initrd)
		return;
	for (i = 0; i < ilen; i++)
		initrd[i] = (uint8_t)(i * 7);
	CHECK(loader_is_bzimage(img, len), "bzimage_recognised_by_hdrs_magic");
	CHECK(load(img, len, RAM_SIZE, 0, initrd, ilen, cmd, &b) == 0,
	      "bzimage_loads_into_256m");
	if (err[0])
		printf("#   message: \"%s\"\n", err);
	CHECK(b.protocol >= 0x020c && !b.elf, "bzimage_protocol_at_least_2_12");
	CHECK(b.kernel_addr == pref && pref == 0x1000000,
	      "bzimage_relocatable_kernel_at_pref_address");
	CHECK(b.entry == b.kernel_addr + 0x200, "bzimage_entry_is_startup_64");
	CHECK(b.kernel_end == pref + rd32(img, BP_INIT_SIZE),
	      "bzimage_kernel_reserves_init_size");
	CHECK(!memcmp(ram_mem + b.kernel_addr, img + setup, syssize),
	      "bzimage_protected_mode_part_copied");
	CHECK(rd16(zp, BP_BOOT_FLAG) == 0xaa55 && rd32(zp, BP_HEADER) == LINUX_HDRS_MAGIC &&
	      rd16(zp, BP_VERSION) == b.protocol && zp[BP_SETUP_SECTS] == img[BP_SETUP_SECTS],
	      "zero_page_holds_the_setup_header");
	CHECK(zp[BP_SENTINEL] == 0, "zero_page_sentinel_zero");
	CHECK(zp[BP_TYPE_OF_LOADER] == 0xff, "zero_page_loader_type_undefined");
	CHECK(rd32(zp, BP_CMD_LINE_PTR) == LINUX_CMDLINE &&
	      !strcmp((char *)ram_mem + LINUX_CMDLINE, cmd), "zero_page_command_line");
	CHECK(rd32(zp, BP_RAMDISK_IMAGE) == b.initrd_addr &&
	      rd32(zp, BP_RAMDISK_SIZE) == ilen && b.initrd_size == ilen,
	      "zero_page_initrd_address_and_size");
	CHECK(b.initrd_addr % 4096 == 0 && b.initrd_addr + ilen <= RAM_SIZE &&
	      b.initrd_addr + ilen > RAM_SIZE - 4096 && b.initrd_addr >= b.kernel_end,
	      "initrd_placed_high_page_aligned_above_kernel");
	CHECK(b.initrd_addr + ilen - 1 <= rd32(img, BP_INITRD_ADDR_MAX),
	      "initrd_below_initrd_addr_max");
	CHECK(!memcmp(ram_mem + b.initrd_addr, initrd, ilen), "initrd_contents_copied");
	CHECK(zp[BP_E820_ENTRIES] == 4 &&
	      rd64(zp, BP_E820_TABLE) == 0 && rd64(zp, BP_E820_TABLE + 8) == 0x9fc00 &&
	      rd32(zp, BP_E820_TABLE + 16) == E820_RAM &&
	      rd64(zp, BP_E820_TABLE + 60) == 0x100000 &&
	      rd64(zp, BP_E820_TABLE + 68) == RAM_SIZE - 0x100000 &&
	      rd32(zp, BP_E820_TABLE + 76) == E820_RAM,
	      "e820_low_ram_and_ram_from_1m");
	CHECK(rd32(zp, BP_E820_TABLE + 36) == E820_RESERVED &&
	      rd64(zp, BP_E820_TABLE + 40) == 0xf0000 &&
	      rd32(zp, BP_E820_TABLE + 56) == E820_RESERVED,
	      "e820_reserves_ebda_and_bios_area");
	CHECK(rd64(ram_mem, LINUX_GDT_ADDR + LINUX_BOOT_CS) == 0x00af9b000000ffffull &&
	      rd64(ram_mem, LINUX_GDT_ADDR + LINUX_BOOT_DS) == 0x00cf93000000ffffull,
	      "gdt_has_boot_cs_and_boot_ds");
	CHECK((rd64(ram_mem, LINUX_PML4) & ~0xfffull) == LINUX_PDPT &&
	      (rd64(ram_mem, LINUX_PDPT + 3 * 8) & ~0xfffull) == LINUX_PD + 3 * 4096 &&
	      rd64(ram_mem, LINUX_PD + 8 * 8) == (0x1000000 | 0x83) &&
	      rd64(ram_mem, LINUX_PD + 3 * 4096 + 511 * 8) == (0xffe00000 | 0x83),
	      "page_tables_identity_map_first_4g");

	CHECK(rd64(zp, BP_ACPI_RSDP_ADDR) == 0, "zero_page_no_rsdp_by_default");
	{
		struct guest_ram r = { .mem = ram_mem, .size = RAM_SIZE,
				       .limit = RAM_SIZE };

		linux_set_rsdp(&r, 0xf0000);
		CHECK(rd64(zp, BP_ACPI_RSDP_ADDR) == 0xf0000,
		      "zero_page_acpi_rsdp_addr_set");
	}

	linux_boot_cpu(&b, &regs, &sregs);
	CHECK(regs.rip == b.entry && regs.rsi == LINUX_ZERO_PAGE &&
	      regs.rflags == 0x2, "entry_state_rip_rsi_interrupts_off");
	CHECK(sregs.cs.selector == LINUX_BOOT_CS && sregs.cs.l && !sregs.cs.db &&
	      sregs.ds.selector == LINUX_BOOT_DS && sregs.ss.selector == LINUX_BOOT_DS &&
	      sregs.es.selector == LINUX_BOOT_DS, "entry_state_boot_cs_and_ds");
	CHECK((sregs.cr0 & 0x80000001) == 0x80000001 && (sregs.cr4 & 0x20) &&
	      sregs.efer == 0x100 && sregs.cr3 == LINUX_PML4 &&
	      sregs.gdt.base == LINUX_GDT_ADDR, "entry_state_long_mode_paging");

	CHECK(load(img, len, RAM_SIZE, 1ull << 30, NULL, 0, "", &b) == 0 &&
	      zp[BP_E820_ENTRIES] == 5 && rd64(zp, BP_E820_TABLE + 80) == 4ull << 30 &&
	      rd64(zp, BP_E820_TABLE + 88) == 1ull << 30 && b.initrd_size == 0 &&
	      rd32(zp, BP_RAMDISK_IMAGE) == 0, "e820_ram_above_4g_when_asked");

	/* Damaged images: one sentence each. */
	damaged(img, len, BP_HEADER, 'X', 0, "HdrS", "corrupt_hdrs_magic_refused");
	damaged(img, len, BP_BOOT_FLAG, 0, 0, "0xaa55", "corrupt_boot_flag_refused");
	damaged(img, len, BP_VERSION, 0x08, 0, "2.12", "old_boot_protocol_refused");
	damaged(img, len, BP_XLOADFLAGS, (uint8_t)(img[BP_XLOADFLAGS] & ~1), 0,
		"64-bit", "kernel_without_64bit_entry_refused");
	damaged(img, len, BP_LOADFLAGS, 0, 0, "zImage", "zimage_refused");
	damaged(img, len, 0, 0, len / 2, "truncated", "truncated_bzimage_refused");
	damaged(img, len, 0, 0, setup - 1, "truncated", "bzimage_truncated_in_setup_refused");
	damaged(img, len, 0, 0, 600, "too short", "bzimage_stub_refused");
	damaged(img, len, setup + rd32(img, BP_PAYLOAD_OFFSET), 0x00, 0,
		"not a compressed kernel", "corrupt_payload_magic_refused");
	damaged(img, len, BP_PAYLOAD_LENGTH + 3, 0x7f, 0, "outside",
		"payload_beyond_kernel_refused");
	damaged32(img, len, BP_INIT_SIZE, 0x1000, 0, 0, 0, "init_size",
		  "init_size_below_kernel_size_refused");

	CHECK(load(img, len, 64u << 20, 0, NULL, 0, "", &b) < 0 &&
	      strstr(err, "raise --mem"), "kernel_larger_than_ram_refused");
	CHECK(load(img, len, RAM_SIZE, 0, ram_mem, 200u << 20, "", &b) < 0 &&
	      strstr(err, "initrd") && strstr(err, "does not fit"),
	      "initrd_too_large_refused");
	longcmd = malloc(70000);
	if (longcmd) {
		memset(longcmd, 'a', 69999);
		longcmd[69999] = 0;
		CHECK(load(img, len, RAM_SIZE, 0, NULL, 0, longcmd, &b) < 0 &&
		      strstr(err, "at most"), "overlong_command_line_refused");
		free(longcmd);
	}
	free(initrd);
}

/* A one-segment vmlinux: 64 bytes at paddr 16 MiB, entry at +0x10. */
static void elf_vmlinux(void)
{
	uint8_t img[sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 64];
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph = { 0 };
	struct linux_boot b;
	uint8_t *zp = ram_mem + LINUX_ZERO_PAGE;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = 0x1000010;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = 1;
	ph.p_type = PT_LOAD;
	ph.p_offset = sizeof(eh) + sizeof(ph);
	ph.p_paddr = 0x1000000;
	ph.p_vaddr = 0xffffffff81000000ull;
	ph.p_filesz = 64;
	ph.p_memsz = 0x2000;
	memcpy(img, &eh, sizeof(eh));
	memcpy(img + sizeof(eh), &ph, sizeof(ph));
	memset(img + sizeof(eh) + sizeof(ph), 0x90, 64);

	CHECK(load(img, sizeof(img), RAM_SIZE, 0, "rd", 2, "console=ttyS0", &b) == 0 &&
	      b.elf && b.entry == 0x1000010 && b.kernel_addr == 0x1000000 &&
	      b.kernel_end == 0x1002000, "vmlinux_elf_loads_at_paddr_with_e_entry");
	CHECK(ram_mem[0x1000000] == 0x90 && rd16(zp, BP_BOOT_FLAG) == 0xaa55 &&
	      rd32(zp, BP_HEADER) == LINUX_HDRS_MAGIC && zp[BP_TYPE_OF_LOADER] == 0xff &&
	      rd32(zp, BP_RAMDISK_SIZE) == 2, "vmlinux_gets_a_synthesized_setup_header");
	eh.e_entry = 0x2000000;
	memcpy(img, &eh, sizeof(eh));
	CHECK(load(img, sizeof(img), RAM_SIZE, 0, NULL, 0, "", &b) < 0 &&
	      strstr(err, "entry"), "vmlinux_entry_outside_segments_refused");
}

void unit_linux(void)
{
	glob_t g;
	uint8_t *img = NULL;
	size_t len = 0, i;

	ram_mem = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!CHECK(ram_mem != MAP_FAILED, "linux_test_ram_allocated"))
		return;
	elf_vmlinux();
	/* The build machine has Debian's kernel; any bzImage will do. */
	if (glob("/boot/vmlinuz-*", 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc && !img; i++) {
			img = slurp(g.gl_pathv[i], &len);
			if (img)
				real_bzimage(img, len, g.gl_pathv[i]);
		}
		globfree(&g);
	}
	CHECK(img != NULL, "real_bzimage_found_in_boot");
	free(img);
	munmap(ram_mem, RAM_SIZE);
}
