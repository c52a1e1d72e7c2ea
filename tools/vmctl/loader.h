/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Image loaders: put a guest image, already read into host memory, into
 * guest RAM.  Both work on plain buffers so that tests/unit_loaders.c can
 * feed them good, truncated and oversized images without a hypervisor.
 */
#ifndef VMCTL_LOADER_H
#define VMCTL_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_ram {
	uint8_t *mem;		/* host mapping of guest-physical 0 */
	uint64_t size;		/* bytes of guest RAM */
	uint64_t limit;		/* images must end at or below this GPA:
				 * vmctl's own tables live above it */
};

/* Copy @len bytes to guest-physical @load.  0, or -1 with @err filled. */
int loader_flat(const struct guest_ram *ram, const void *img, size_t len,
		uint64_t load, char *err, size_t errlen);

/* True if @img starts with the ELF magic (then loader_elf() applies). */
bool loader_is_elf(const void *img, size_t len);

/*
 * Place the PT_LOAD segments of an ET_EXEC ELF32 or ELF64 x86 image at
 * their physical addresses (p_paddr), zero-filling p_memsz beyond
 * p_filesz, and return e_entry.  0, or -1 with @err filled.
 */
int loader_elf(const struct guest_ram *ram, const void *img, size_t len,
	       uint64_t *entry, char *err, size_t errlen);

#endif /* VMCTL_LOADER_H */
