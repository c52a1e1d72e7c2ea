/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Booting a Linux kernel through the x86 boot protocol
 * (Documentation/arch/x86/boot.rst), 64-bit entry: the loader places a
 * bzImage's protected-mode part (or an ELF vmlinux's segments), the
 * initrd and the command line in guest RAM, builds the zero page
 * (struct boot_params) with an e820 map, and writes the GDT and
 * identity-mapped page tables the 64-bit entry needs.  linux_boot_cpu()
 * then gives the register state: long mode, CS = __BOOT_CS (0x10),
 * DS/ES/SS = __BOOT_DS (0x18), RSI = zero page, interrupts off.
 *
 * Everything works on buffers, so tests/unit_linux.c checks a real
 * bzImage from /boot and damaged copies of it on the host.
 *
 * Guest-physical layout (all below 1 MiB, which Linux reserves):
 *   0x00500  GDT                 0x07000  zero page (boot_params)
 *   0x08000  initial stack (grows down from 0x9000)
 *   0x09000  PML4  0x0a000 PDPT  0x0b000-0x0efff four page directories
 *   0x20000  command line
 *   kernel at pref_address (relocatable) or 0x100000; initrd as high as
 *   initrd_addr_max and the RAM below 4 GiB allow.
 */
#ifndef VMCTL_LOADER_LINUX_H
#define VMCTL_LOADER_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../uapi/svmhv.h"
#include "loader.h"

#define LINUX_GDT_ADDR		0x500ull
#define LINUX_ZERO_PAGE		0x7000ull
#define LINUX_STACK_TOP		0x9000ull
#define LINUX_PML4		0x9000ull
#define LINUX_PDPT		0xa000ull
#define LINUX_PD		0xb000ull	/* 4 PDs: the first 4 GiB */
#define LINUX_CMDLINE		0x20000ull
#define LINUX_CMDLINE_MAX	0x10000ull	/* up to 0x30000 */
#define LINUX_BOOT_CS		0x10
#define LINUX_BOOT_DS		0x18
#define LINUX_HIGH_RAM		(4ull << 30)	/* RAM above the PCI hole */

/* struct boot_params offsets (arch/x86/include/uapi/asm/bootparam.h). */
#define BP_ACPI_RSDP_ADDR	0x070
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_SENTINEL		0x1ef
#define BP_HDR			0x1f1	/* struct setup_header */
#define BP_SETUP_SECTS		0x1f1
#define BP_SYSSIZE		0x1f4
#define BP_VID_MODE		0x1fa
#define BP_BOOT_FLAG		0x1fe
#define BP_JUMP			0x200
#define BP_HEADER		0x202
#define BP_VERSION		0x206
#define BP_TYPE_OF_LOADER	0x210
#define BP_LOADFLAGS		0x211
#define BP_CODE32_START		0x214
#define BP_RAMDISK_IMAGE	0x218
#define BP_RAMDISK_SIZE		0x21c
#define BP_CMD_LINE_PTR		0x228
#define BP_INITRD_ADDR_MAX	0x22c
#define BP_KERNEL_ALIGNMENT	0x230
#define BP_RELOCATABLE		0x234
#define BP_XLOADFLAGS		0x236
#define BP_CMDLINE_SIZE		0x238
#define BP_PAYLOAD_OFFSET	0x248
#define BP_PAYLOAD_LENGTH	0x24c
#define BP_PREF_ADDRESS		0x258
#define BP_INIT_SIZE		0x260
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128
#define BP_SIZE			4096

#define LINUX_HDRS_MAGIC	0x53726448u	/* "HdrS" */
#define LINUX_BOOT_FLAG		0xaa55
#define LINUX_LOADED_HIGH	0x01
#define LINUX_XLF_KERNEL_64	0x01
#define LINUX_MIN_PROTOCOL	0x020c		/* 2.12: xloadflags */

#define E820_RAM		1
#define E820_RESERVED		2

struct linux_boot {
	uint64_t entry;		/* first RIP (64-bit entry point) */
	uint64_t kernel_addr;	/* where the kernel was placed */
	uint64_t kernel_end;	/* end of the memory it needs (init_size) */
	uint64_t initrd_addr, initrd_size;
	uint64_t cmdline_max;	/* longest command line the kernel takes */
	uint16_t protocol;	/* boot protocol version, 0 for ELF */
	bool elf;
};

/* True when @img looks like a bzImage (boot flag and "HdrS"). */
bool loader_is_bzimage(const void *img, size_t len);

/*
 * Load @kernel (a bzImage, or an ELF vmlinux when it has the ELF magic)
 * into @ram (the RAM below the PCI hole: ram->size bytes at 0, images
 * must end below ram->limit), @initrd (may be NULL/0) and @cmdline, and
 * build the zero page and boot page tables.  @high_ram is the RAM mapped
 * from 4 GiB up, for the e820 map only.  0, or -1 with @err filled.
 */
int loader_linux(const struct guest_ram *ram, uint64_t high_ram,
		 const void *kernel, size_t klen, const void *initrd,
		 size_t ilen, const char *cmdline, struct linux_boot *out,
		 char *err, size_t errlen);

/* Replace the command line loader_linux() wrote.  0, or -1 with @err. */
int linux_set_cmdline(const struct guest_ram *ram,
		      const struct linux_boot *boot, const char *cmdline,
		      char *err, size_t errlen);

/* Tell the kernel where the ACPI RSDP is (boot_params.acpi_rsdp_addr,
 * read by Linux 5.0 and later; older ones scan the BIOS area). */
void linux_set_rsdp(const struct guest_ram *ram, uint64_t rsdp);

/* The vCPU state for the 64-bit entry of @boot. */
void linux_boot_cpu(const struct linux_boot *boot, struct svmhv_regs *regs,
		    struct svmhv_sregs *sregs);

#endif /* VMCTL_LOADER_LINUX_H */
