// SPDX-License-Identifier: GPL-2.0
/*
 * Linux x86 boot protocol loader, 64-bit entry (Documentation/arch/x86/
 * boot.rst: "The Real-Mode Kernel Header", "Details of Header Fields",
 * "64-bit Boot Protocol"), the way Firecracker and cloud-hypervisor boot
 * Linux: no real-mode setup code runs; vmctl fills the zero page itself
 * and enters startup_64, 0x200 bytes into the protected-mode kernel, in
 * long mode.  An ELF vmlinux is entered at e_entry the same way.
 *
 * The image is untrusted input: every header field is checked against
 * the file before it is used, and each way an image can be damaged gets
 * a sentence that says what is wrong (no HdrS magic, old protocol, no
 * 64-bit entry, truncated setup or payload, payload that is not a
 * compressed kernel).
 */
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cpu_mode.h"
#include "loader_linux.h"

#define PAGE		((uint64_t)4096)
#define MIB		((uint64_t)1 << 20)
#define GIB		((uint64_t)1 << 30)
#define LOW_KERNEL_ADDR	0x100000ull
#define EBDA_START	0x9fc00ull	/* the last KiB of conventional RAM */
#define BIOS_START	0xf0000ull	/* motherboard BIOS area */
#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_PS		(1ull << 7)

static uint8_t get8(const uint8_t *p, size_t off)
{
	return p[off];
}

static uint16_t get16(const uint8_t *p, size_t off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	return (uint32_t)get16(p, off) | (uint32_t)get16(p, off + 2) << 16;
}

static uint64_t get64(const uint8_t *p, size_t off)
{
	return (uint64_t)get32(p, off) | (uint64_t)get32(p, off + 4) << 32;
}

static void put16(uint8_t *p, size_t off, uint16_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static void put64(uint8_t *p, size_t off, uint64_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

bool loader_is_bzimage(const void *image, size_t len)
{
	const uint8_t *img = image;

	return len >= BP_HEADER + 4 &&
	       get16(img, BP_BOOT_FLAG) == LINUX_BOOT_FLAG &&
	       get32(img, BP_HEADER) == LINUX_HDRS_MAGIC;
}

/* Known compressed-payload magics (arch/x86/boot/compressed/Makefile). */
static const char *payload_format(const uint8_t *p, uint64_t len)
{
	static const struct { const char *name; uint8_t n, magic[6]; } fmts[] = {
		{ "gzip",  2, { 0x1f, 0x8b } },
		{ "xz",    6, { 0xfd, '7', 'z', 'X', 'Z', 0x00 } },
		{ "zstd",  4, { 0x28, 0xb5, 0x2f, 0xfd } },
		{ "lz4",   4, { 0x02, 0x21, 0x4c, 0x18 } },
		{ "bzip2", 3, { 'B', 'Z', 'h' } },
		{ "lzo",   4, { 0x89, 'L', 'Z', 'O' } },
		{ "lzma",  3, { 0x5d, 0x00, 0x00 } },
	};
	unsigned int i;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (len >= fmts[i].n && !memcmp(p, fmts[i].magic, fmts[i].n))
			return fmts[i].name;
	/* An uncompressed payload (CONFIG_KERNEL_UNCOMPRESSED) is ELF. */
	if (len >= 4 && !memcmp(p, "\177ELF", 4))
		return "uncompressed ELF";
	return NULL;
}

/* Check the bzImage and place its protected-mode part. */
static int load_bzimage(const struct guest_ram *ram, const uint8_t *img,
			size_t len, uint8_t *zp, struct linux_boot *out,
			char *err, size_t errlen)
{
	uint64_t setup_size, sys_size, pref, init_size, align, load, run_at;
	uint64_t payload_off, payload_len;
	unsigned int setup_sects, hdr_end;
	uint8_t xload, loadflags;
	const char *fmt;

	if (len < 1024) {
		snprintf(err, errlen, "not a Linux kernel: %zu bytes, too short"
			 " for a boot sector and setup header", len);
		return -1;
	}
	if (get16(img, BP_BOOT_FLAG) != LINUX_BOOT_FLAG) {
		snprintf(err, errlen, "not a Linux bzImage: no boot sector"
			 " signature 0xaa55 at offset 0x1fe");
		return -1;
	}
	if (get32(img, BP_HEADER) != LINUX_HDRS_MAGIC) {
		snprintf(err, errlen, "not a Linux bzImage: setup header magic"
			 " \"HdrS\" missing at offset 0x202");
		return -1;
	}
	out->protocol = get16(img, BP_VERSION);
	if (out->protocol < LINUX_MIN_PROTOCOL) {
		snprintf(err, errlen, "kernel speaks boot protocol %u.%02u;"
			 " vmctl needs 2.12 or later (64-bit entry)",
			 out->protocol >> 8, out->protocol & 0xff);
		return -1;
	}
	xload = get8(img, BP_XLOADFLAGS);
	if (!(xload & LINUX_XLF_KERNEL_64)) {
		snprintf(err, errlen, "kernel has no 64-bit entry point"
			 " (xloadflags 0x%x lacks XLF_KERNEL_64): a 32-bit"
			 " kernel?", xload);
		return -1;
	}
	loadflags = get8(img, BP_LOADFLAGS);
	if (!(loadflags & LINUX_LOADED_HIGH)) {
		snprintf(err, errlen, "zImage (loaded low) kernels are not"
			 " supported; build a bzImage");
		return -1;
	}
	setup_sects = get8(img, BP_SETUP_SECTS);
	if (setup_sects == 0)
		setup_sects = 4;	/* boot.rst: 0 means 4 */
	setup_size = (setup_sects + 1ull) * 512;
	sys_size = (uint64_t)get32(img, BP_SYSSIZE) * 16;
	if (len < setup_size || len - setup_size < sys_size) {
		snprintf(err, errlen, "kernel image truncated: its header"
			 " announces %" PRIu64 " bytes (setup %" PRIu64
			 " + kernel %" PRIu64 "), the file has %zu",
			 setup_size + sys_size, setup_size, sys_size, len);
		return -1;
	}
	payload_off = get32(img, BP_PAYLOAD_OFFSET);
	payload_len = get32(img, BP_PAYLOAD_LENGTH);
	if (payload_off > sys_size || payload_len > sys_size - payload_off ||
	    payload_len == 0) {
		snprintf(err, errlen, "corrupt kernel image: compressed payload"
			 " [0x%" PRIx64 ", +0x%" PRIx64 ") lies outside the"
			 " protected-mode kernel (0x%" PRIx64 " bytes)",
			 payload_off, payload_len, sys_size);
		return -1;
	}
	fmt = payload_format(img + setup_size + payload_off, payload_len);
	if (!fmt) {
		snprintf(err, errlen, "corrupt kernel image: the payload at"
			 " 0x%" PRIx64 " is not a compressed kernel (unknown"
			 " magic %02x %02x %02x %02x)", setup_size + payload_off,
			 img[setup_size + payload_off],
			 img[setup_size + payload_off + 1],
			 img[setup_size + payload_off + 2],
			 img[setup_size + payload_off + 3]);
		return -1;
	}
	init_size = get32(img, BP_INIT_SIZE);
	if (init_size < sys_size) {
		snprintf(err, errlen, "corrupt kernel image: init_size 0x%"
			 PRIx64 " is smaller than the kernel itself (0x%"
			 PRIx64 ")", init_size, sys_size);
		return -1;
	}

	/*
	 * A relocatable kernel runs where it is loaded (rounded up to
	 * kernel_alignment), so loading it at pref_address lets it
	 * decompress in place; anything else starts at 1 MiB and moves
	 * itself to its compiled-in address, which it then needs memory at.
	 */
	pref = get64(img, BP_PREF_ADDRESS);
	align = get32(img, BP_KERNEL_ALIGNMENT);
	if (get8(img, BP_RELOCATABLE) && pref >= LOW_KERNEL_ADDR &&
	    (!align || pref % align == 0) && pref < ram->limit &&
	    init_size <= ram->limit - pref)
		load = pref;
	else
		load = LOW_KERNEL_ADDR;
	run_at = load > pref ? load : pref;
	if (run_at >= ram->limit || init_size > ram->limit - run_at) {
		snprintf(err, errlen, "kernel needs 0x%" PRIx64 " bytes of RAM"
			 " from 0x%" PRIx64 " (up to %" PRIu64 " MiB); the"
			 " guest has %" PRIu64 " MiB below 4 GiB (raise --mem)",
			 init_size, run_at, (run_at + init_size + MIB - 1) / MIB,
			 ram->limit / MIB);
		return -1;
	}
	memcpy(ram->mem + load, img + setup_size, sys_size);

	/* The zero page starts as a copy of the image's setup header. */
	hdr_end = BP_JUMP + 2 + get8(img, BP_JUMP + 1);
	if (hdr_end > setup_size || hdr_end > BP_SIZE) {
		snprintf(err, errlen, "corrupt kernel image: setup header ends"
			 " at 0x%x, beyond the setup code", hdr_end);
		return -1;
	}
	memcpy(zp + BP_HDR, img + BP_HDR, hdr_end - BP_HDR);
	put32(zp, BP_CODE32_START, (uint32_t)load);
	out->kernel_addr = load;
	out->kernel_end = run_at + init_size;
	out->entry = load + 0x200;	/* startup_64 */
	out->elf = false;
	return 0;
}

/* Place an ELF vmlinux and describe it in a zero page of our own. */
static int load_vmlinux(const struct guest_ram *ram, const uint8_t *img,
			size_t len, uint8_t *zp, struct linux_boot *out,
			char *err, size_t errlen)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	Elf64_Ehdr eh;
	unsigned int i;

	if (len < sizeof(eh) || img[EI_CLASS] != ELFCLASS64) {
		snprintf(err, errlen, "ELF kernel is not a 64-bit ELF file");
		return -1;
	}
	if (loader_elf(ram, img, len, &out->entry, err, errlen) < 0)
		return -1;
	memcpy(&eh, img, sizeof(eh));
	/* loader_elf() checked every program header lies in the file. */
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, img + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_paddr < lo)
			lo = ph.p_paddr;
		if (ph.p_paddr + ph.p_memsz > hi)
			hi = ph.p_paddr + ph.p_memsz;
	}
	if (out->entry < lo || out->entry >= hi) {
		snprintf(err, errlen, "ELF kernel entry 0x%" PRIx64 " is not"
			 " inside its segments [0x%" PRIx64 ", 0x%" PRIx64 ")",
			 out->entry, lo, hi);
		return -1;
	}
	if (lo < 1 * MIB) {
		snprintf(err, errlen, "ELF kernel segment at 0x%" PRIx64
			 " overlaps vmctl's boot tables below 1 MiB", lo);
		return -1;
	}
	/* What the bzImage header would say (Firecracker does the same). */
	put16(zp, BP_BOOT_FLAG, LINUX_BOOT_FLAG);
	put32(zp, BP_HEADER, LINUX_HDRS_MAGIC);
	put16(zp, BP_VERSION, 0x020f);
	put32(zp, BP_KERNEL_ALIGNMENT, 0x1000000);
	put32(zp, BP_CMDLINE_SIZE, LINUX_CMDLINE_MAX - 1);
	put32(zp, BP_INITRD_ADDR_MAX, 0x7fffffff);
	zp[BP_LOADFLAGS] = LINUX_LOADED_HIGH;
	out->kernel_addr = lo;
	out->kernel_end = (hi + PAGE - 1) & ~(PAGE - 1);
	out->protocol = 0;
	out->elf = true;
	return 0;
}

int linux_set_cmdline(const struct guest_ram *ram,
		      const struct linux_boot *boot, const char *cmdline,
		      char *err, size_t errlen)
{
	size_t len = strlen(cmdline);

	if (len > boot->cmdline_max) {
		snprintf(err, errlen, "kernel command line is %zu bytes; this"
			 " kernel takes at most %" PRIu64, len,
			 boot->cmdline_max);
		return -1;
	}
	memcpy(ram->mem + LINUX_CMDLINE, cmdline, len + 1);
	return 0;
}

void linux_set_rsdp(const struct guest_ram *ram, uint64_t rsdp)
{
	put64(ram->mem + LINUX_ZERO_PAGE, BP_ACPI_RSDP_ADDR, rsdp);
}

static unsigned int add_e820(uint8_t *zp, unsigned int n, uint64_t addr,
			     uint64_t size, uint32_t type)
{
	size_t at = BP_E820_TABLE + (size_t)n * 20;

	put64(zp, at, addr);
	put64(zp, at + 8, size);
	put32(zp, at + 16, type);
	return n + 1;
}

static void write_e820(uint8_t *zp, uint64_t low_ram, uint64_t high_ram)
{
	unsigned int n = 0;

	n = add_e820(zp, n, 0, EBDA_START, E820_RAM);
	n = add_e820(zp, n, EBDA_START, 0xa0000 - EBDA_START, E820_RESERVED);
	n = add_e820(zp, n, BIOS_START, 1 * MIB - BIOS_START, E820_RESERVED);
	n = add_e820(zp, n, 1 * MIB, low_ram - 1 * MIB, E820_RAM);
	if (high_ram)
		n = add_e820(zp, n, LINUX_HIGH_RAM, high_ram, E820_RAM);
	zp[BP_E820_ENTRIES] = (uint8_t)n;
}

static void write_boot_tables(uint8_t *mem)
{
	static const uint64_t gdt[4] = {
		0,
		0,
		0x00af9b000000ffffull,	/* 0x10 __BOOT_CS: 64-bit code */
		0x00cf93000000ffffull,	/* 0x18 __BOOT_DS: flat data */
	};
	unsigned int i, j;

	memcpy(mem + LINUX_GDT_ADDR, gdt, sizeof(gdt));
	/* Identity map of the first 4 GiB with 2 MiB pages: it covers the
	 * kernel, zero page, command line and initrd wherever they are. */
	memset(mem + LINUX_PML4, 0, 6 * PAGE);
	put64(mem, LINUX_PML4, LINUX_PDPT | PTE_P | PTE_RW);
	for (i = 0; i < 4; i++) {
		uint64_t pd = LINUX_PD + i * PAGE;

		put64(mem, LINUX_PDPT + i * 8, pd | PTE_P | PTE_RW);
		for (j = 0; j < 512; j++)
			put64(mem, pd + j * 8, ((uint64_t)i * GIB +
			      (uint64_t)j * 2 * MIB) | PTE_P | PTE_RW | PTE_PS);
	}
}

int loader_linux(const struct guest_ram *ram, uint64_t high_ram,
		 const void *kernel, size_t klen, const void *initrd,
		 size_t ilen, const char *cmdline, struct linux_boot *out,
		 char *err, size_t errlen)
{
	uint8_t zp[BP_SIZE];
	uint64_t top, max_addr;
	uint64_t cmd_max;
	int ret;

	memset(out, 0, sizeof(*out));
	memset(zp, 0, sizeof(zp));
	if (ram->limit < 2 * MIB) {
		snprintf(err, errlen, "a Linux guest needs more than %" PRIu64
			 " KiB of RAM", ram->limit >> 10);
		return -1;
	}
	if (loader_is_elf(kernel, klen))
		ret = load_vmlinux(ram, kernel, klen, zp, out, err, errlen);
	else
		ret = load_bzimage(ram, kernel, klen, zp, out, err, errlen);
	if (ret < 0)
		return -1;

	/* cmdline_size excludes the terminating NUL (boot.rst). */
	cmd_max = get32(zp, BP_CMDLINE_SIZE);
	if (out->protocol && out->protocol < 0x0206)
		cmd_max = 255;
	if (cmd_max > LINUX_CMDLINE_MAX - 1)
		cmd_max = LINUX_CMDLINE_MAX - 1;
	out->cmdline_max = cmd_max;
	if (linux_set_cmdline(ram, out, cmdline, err, errlen) < 0)
		return -1;

	if (ilen) {
		/* As high as allowed: out of the way of the kernel's own
		 * decompression and relocation (boot.rst, ramdisk_image). */
		max_addr = get32(zp, BP_INITRD_ADDR_MAX);
		if (!max_addr)
			max_addr = 0x37ffffff;	/* protocol < 2.03 */
		top = ram->limit < max_addr + 1 ? ram->limit : max_addr + 1;
		top &= ~(PAGE - 1);
		if (ilen > top || ((top - ilen) & ~(PAGE - 1)) < out->kernel_end) {
			snprintf(err, errlen, "initrd of %zu bytes does not fit"
				 " between the kernel's end 0x%" PRIx64 " and"
				 " 0x%" PRIx64 " (raise --mem)", ilen,
				 out->kernel_end, top);
			return -1;
		}
		out->initrd_addr = (top - ilen) & ~(PAGE - 1);
		out->initrd_size = ilen;
		memcpy(ram->mem + out->initrd_addr, initrd, ilen);
	}

	zp[BP_TYPE_OF_LOADER] = 0xff;		/* "undefined" boot loader */
	put16(zp, BP_VID_MODE, 0xffff);		/* "normal" text mode */
	put32(zp, BP_CMD_LINE_PTR, (uint32_t)LINUX_CMDLINE);
	put32(zp, BP_EXT_CMD_LINE_PTR, 0);
	put32(zp, BP_RAMDISK_IMAGE, (uint32_t)out->initrd_addr);
	put32(zp, BP_RAMDISK_SIZE, (uint32_t)out->initrd_size);
	put32(zp, BP_EXT_RAMDISK_IMAGE, 0);
	put32(zp, BP_EXT_RAMDISK_SIZE, 0);
	write_e820(zp, ram->size, high_ram);
	memcpy(ram->mem + LINUX_ZERO_PAGE, zp, sizeof(zp));
	write_boot_tables(ram->mem);
	return 0;
}

static struct svmhv_segment boot_seg(uint16_t sel, uint8_t type, uint8_t s,
				     uint8_t l, uint8_t db)
{
	return (struct svmhv_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.s = s, .dpl = 0, .present = 1, .l = l, .db = db,
		.g = s ? 1 : 0,
	};
}

void linux_boot_cpu(const struct linux_boot *boot, struct svmhv_regs *regs,
		    struct svmhv_sregs *sregs)
{
	struct svmhv_segment ds = boot_seg(LINUX_BOOT_DS, 0x3, 1, 0, 1);
	uint64_t apic_base = sregs->apic_base;

	memset(regs, 0, sizeof(*regs));
	regs->rip = boot->entry;
	regs->rsi = LINUX_ZERO_PAGE;
	regs->rsp = LINUX_STACK_TOP;
	regs->rflags = 0x2;		/* IF=0: interrupts off */

	memset(sregs, 0, sizeof(*sregs));
	sregs->apic_base = apic_base;
	sregs->cs = boot_seg(LINUX_BOOT_CS, 0xb, 1, 1, 0);
	sregs->ds = ds;
	sregs->es = ds;
	sregs->fs = ds;
	sregs->gs = ds;
	sregs->ss = ds;
	/* TR and LDTR as after RESET: VMRUN wants them present. */
	sregs->tr = boot_seg(0, 0xb, 0, 0, 0);
	sregs->tr.limit = 0xffff;
	sregs->ldt = boot_seg(0, 0x2, 0, 0, 0);
	sregs->ldt.limit = 0xffff;
	sregs->gdt.base = LINUX_GDT_ADDR;
	sregs->gdt.limit = 4 * 8 - 1;
	sregs->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG;
	sregs->cr3 = LINUX_PML4;
	sregs->cr4 = CR4_PAE;
	sregs->efer = EFER_LME;		/* the module sets LMA */
}
