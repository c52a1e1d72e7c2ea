/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing of vmctl's option values: sizes ("64M", "4096"), guest-physical
 * addresses ("0x1000", "4096") and CPU modes.  Kept apart from main.c and
 * free of I/O so that tests/unit_options.c can pin every accepted and
 * rejected spelling on the host.
 */
#ifndef VMCTL_OPTIONS_H
#define VMCTL_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

enum opt_error {
	OPT_OK = 0,
	OPT_EMPTY,		/* "" */
	OPT_GARBAGE,		/* not a number, bad suffix, trailing junk */
	OPT_OVERFLOW,		/* does not fit in 64 bits */
	OPT_ZERO,		/* memory size 0 */
	OPT_UNALIGNED,		/* memory size not a multiple of 4 KiB */
	OPT_TOO_SMALL,		/* memory size below VMCTL_MEM_MIN */
	OPT_TOO_LARGE,		/* memory size above VMCTL_MEM_MAX */
	OPT_NO_CPUS,		/* vCPU count 0 */
	OPT_TOO_MANY_CPUS,	/* vCPU count above VMCTL_MAX_CPUS */
	OPT_DISK_FLAG,		/* --disk: not ",ro" or ",rw" after the path */
};

enum cpu_mode {
	CPU_MODE_REAL,
	CPU_MODE_PROTECTED,
	CPU_MODE_LONG,
};

/*
 * Real-mode guests address the first MiB, and vmctl's own tables must fit
 * below the guest's image, hence the floor.  The ceiling keeps the
 * long-mode identity map inside one PML4 entry (512 GiB).
 */
#define VMCTL_MEM_MIN		(1ull << 20)
#define VMCTL_MEM_MAX		(512ull << 30)
#define VMCTL_MEM_DEFAULT	(64ull << 20)
#define VMCTL_LOAD_DEFAULT	0x1000ull

/*
 * vCPUs of a Linux guest (--cpus).  64 keeps every APIC ID (= vCPU id)
 * below 0xff, the xAPIC broadcast ID, so each CPU is one MADT Processor
 * Local APIC entry (ACPI 6.5, 5.2.12.2) without x2APIC entries.
 */
#define VMCTL_MAX_CPUS		64

/*
 * PCI bus 0 has 32 slots: the host bridge in slot 0 and up to 31 devices
 * (--rng and the --disk functions together).  Each --disk is one
 * virtio-blk function, so at most 31 disks.
 */
#define VMCTL_MAX_PCI_DEVICES	31
#define VMCTL_MAX_DISKS		VMCTL_MAX_PCI_DEVICES

/* --disk PATH[,ro|,rw] */
struct disk_opt {
	const char *path;
	bool readonly;
};

/* Decimal digits with an optional K, M or G suffix (powers of 1024). */
enum opt_error parse_size(const char *s, uint64_t *out);
/* "0x" followed by hex digits, or decimal digits. */
enum opt_error parse_addr(const char *s, uint64_t *out);
/* parse_size, then the rules for guest RAM: nonzero, 4 KiB multiple, range. */
enum opt_error parse_mem_size(const char *s, uint64_t *out);
/* Decimal vCPU count, 1..VMCTL_MAX_CPUS. */
enum opt_error parse_cpus(const char *s, unsigned int *out);
/* "real", "protected" or "long"; returns -1 for anything else. */
int parse_cpu_mode(const char *s, enum cpu_mode *out);

/*
 * --disk's value: PATH, PATH,ro (read-only) or PATH,rw.  Only the text
 * after the last comma is a flag, so a path holding commas is written
 * with ",rw" (or ",ro") after it.  The flag is cut off @s in place (a
 * NUL over the comma); @out->path is @s.
 */
enum opt_error parse_disk(char *s, struct disk_opt *out);

const char *cpu_mode_name(enum cpu_mode mode);
const char *opt_strerror(enum opt_error err);

#endif /* VMCTL_OPTIONS_H */
