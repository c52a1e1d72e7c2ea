// SPDX-License-Identifier: GPL-2.0
/*
 * ELF loader for guest kernels linked as ET_EXEC (System V gABI, "Program
 * Header").  Segments go to p_paddr, not p_vaddr: a kernel linked high
 * (vaddr 0xffffffff80000000) still names the physical address it expects
 * to be loaded at, and paging is set up by vmctl as an identity map.
 * Every offset and size is checked against the file before use, because
 * the file is untrusted input.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"

bool loader_is_elf(const void *img, size_t len)
{
	return len >= SELFMAG && memcmp(img, ELFMAG, SELFMAG) == 0;
}

/* One program header, widened from either class. */
struct seg {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz;
};

static int read_phdr(const uint8_t *img, size_t len, bool is64,
		     uint64_t phoff, unsigned int i, struct seg *s)
{
	size_t entsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	uint64_t at = phoff + (uint64_t)i * entsize;

	if (phoff > len || at > len || len - at < entsize)
		return -1;
	if (is64) {
		Elf64_Phdr p;

		memcpy(&p, img + at, sizeof(p));
		*s = (struct seg){ p.p_type, p.p_offset, p.p_paddr,
				   p.p_filesz, p.p_memsz };
	} else {
		Elf32_Phdr p;

		memcpy(&p, img + at, sizeof(p));
		*s = (struct seg){ p.p_type, p.p_offset, p.p_paddr,
				   p.p_filesz, p.p_memsz };
	}
	return 0;
}

int loader_elf(const struct guest_ram *ram, const void *image, size_t len,
	       uint64_t *entry, char *err, size_t errlen)
{
	const uint8_t *img = image;
	unsigned int i, phnum, nload = 0;
	uint64_t phoff;
	size_t entsize;
	uint16_t type, machine, phentsize;
	bool is64;

	if (!loader_is_elf(img, len) || len < EI_NIDENT) {
		snprintf(err, errlen, "not an ELF image");
		return -1;
	}
	if (img[EI_CLASS] != ELFCLASS64 && img[EI_CLASS] != ELFCLASS32) {
		snprintf(err, errlen, "ELF image: unknown class %u", img[EI_CLASS]);
		return -1;
	}
	is64 = img[EI_CLASS] == ELFCLASS64;
	if (img[EI_DATA] != ELFDATA2LSB) {
		snprintf(err, errlen, "ELF image is not little-endian");
		return -1;
	}
	if (len < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))) {
		snprintf(err, errlen, "ELF image truncated: %zu bytes, "
			 "shorter than its header", len);
		return -1;
	}
	if (is64) {
		Elf64_Ehdr eh;

		memcpy(&eh, img, sizeof(eh));
		type = eh.e_type;
		machine = eh.e_machine;
		*entry = eh.e_entry;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
		entsize = sizeof(Elf64_Phdr);
	} else {
		Elf32_Ehdr eh;

		memcpy(&eh, img, sizeof(eh));
		type = eh.e_type;
		machine = eh.e_machine;
		*entry = eh.e_entry;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
		entsize = sizeof(Elf32_Phdr);
	}
	if (type != ET_EXEC) {
		snprintf(err, errlen, "ELF image is not ET_EXEC (e_type %u):"
			 " link it with a fixed address, not as PIE", type);
		return -1;
	}
	if (machine != EM_X86_64 && machine != EM_386) {
		snprintf(err, errlen, "ELF image is not for x86 (e_machine %u)",
			 machine);
		return -1;
	}
	if (phentsize != entsize) {
		snprintf(err, errlen, "ELF image: e_phentsize %u, expected %zu",
			 phentsize, entsize);
		return -1;
	}

	/* Validate every segment before copying any, so a bad image leaves
	 * guest RAM untouched. */
	for (int pass = 0; pass < 2; pass++) {
		for (i = 0; i < phnum; i++) {
			struct seg s;

			if (read_phdr(img, len, is64, phoff, i, &s)) {
				snprintf(err, errlen, "ELF image truncated:"
					 " program header %u lies beyond the"
					 " end of the file", i);
				return -1;
			}
			if (s.type != PT_LOAD)
				continue;
			if (pass == 1) {
				memcpy(ram->mem + s.paddr, img + s.offset,
				       s.filesz);
				memset(ram->mem + s.paddr + s.filesz, 0,
				       s.memsz - s.filesz);
				continue;
			}
			nload++;
			if (s.filesz > s.memsz) {
				snprintf(err, errlen, "ELF segment %u: p_filesz"
					 " larger than p_memsz", i);
				return -1;
			}
			if (s.offset > len || s.filesz > len - s.offset) {
				snprintf(err, errlen, "ELF image truncated:"
					 " segment %u needs bytes up to %" PRIu64
					 ", file has %zu", i,
					 s.offset + s.filesz, len);
				return -1;
			}
			if (s.paddr > ram->limit ||
			    s.memsz > ram->limit - s.paddr) {
				snprintf(err, errlen, "ELF segment %u (0x%"
					 PRIx64 " bytes at 0x%" PRIx64
					 ") does not fit in guest RAM: the"
					 " guest's part of RAM ends at 0x%"
					 PRIx64 " (raise --mem)", i, s.memsz,
					 s.paddr, ram->limit);
				return -1;
			}
		}
		if (pass == 0 && nload == 0) {
			snprintf(err, errlen, "ELF image has no PT_LOAD segment");
			return -1;
		}
	}
	return 0;
}
