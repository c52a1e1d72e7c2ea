// SPDX-License-Identifier: GPL-2.0
/*
 * Flat and ELF loaders (loader_flat.c, loader_elf.c) on good, truncated and
 * oversized images, built in memory.  Guest RAM is pre-filled with 0xcc so
 * that bytes a loader failed to write, or zero-filled, are visible, and a
 * refused image must leave RAM untouched.
 */
#include <elf.h>
#include <string.h>

#include "../loader.h"
#include "unit.h"

#define RAM_SIZE	0x10000
#define RAM_LIMIT	0xf000

static uint8_t ram_buf[RAM_SIZE];
static const struct guest_ram ram = { ram_buf, RAM_SIZE, RAM_LIMIT };

static void ram_fill(void)
{
	memset(ram_buf, 0xcc, sizeof(ram_buf));
}

static bool ram_untouched(void)
{
	for (size_t i = 0; i < sizeof(ram_buf); i++)
		if (ram_buf[i] != 0xcc)
			return false;
	return true;
}

/* An ELF64 ET_EXEC with @n PT_LOAD headers, file data after them. */
struct elf64_img {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	uint8_t data[32];
};

static void make_elf64(struct elf64_img *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS64;
	e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh.e_ident[EI_VERSION] = EV_CURRENT;
	e->eh.e_type = ET_EXEC;
	e->eh.e_machine = EM_X86_64;
	e->eh.e_version = EV_CURRENT;
	e->eh.e_entry = 0x2004;
	e->eh.e_phoff = offsetof(struct elf64_img, ph);
	e->eh.e_phentsize = sizeof(Elf64_Phdr);
	e->eh.e_phnum = 2;
	e->eh.e_ehsize = sizeof(Elf64_Ehdr);
	/* Segment 0: 16 bytes of file data + 16 bytes of bss at 0x2000,
	 * linked high (vaddr) to prove p_paddr is used. */
	e->ph[0].p_type = PT_LOAD;
	e->ph[0].p_offset = offsetof(struct elf64_img, data);
	e->ph[0].p_vaddr = 0xffffffff80002000ull;
	e->ph[0].p_paddr = 0x2000;
	e->ph[0].p_filesz = 16;
	e->ph[0].p_memsz = 32;
	/* Segment 1: a note, which must be ignored. */
	e->ph[1].p_type = PT_NOTE;
	e->ph[1].p_offset = 0;
	e->ph[1].p_paddr = 0x9000;
	e->ph[1].p_filesz = 4;
	e->ph[1].p_memsz = 4;
	for (int i = 0; i < 16; i++)
		e->data[i] = (uint8_t)(i + 1);
}

static bool elf_fails(const void *img, size_t len, const char *want_in_msg)
{
	char err[256] = "";
	uint64_t entry;

	ram_fill();
	return loader_elf(&ram, img, len, &entry, err, sizeof(err)) < 0 &&
	       strstr(err, want_in_msg) && ram_untouched();
}

void unit_loaders(void)
{
	uint8_t img[64];
	struct elf64_img e;
	char err[256];
	uint64_t entry = 0;
	bool ok;

	for (unsigned int i = 0; i < sizeof(img); i++)
		img[i] = (uint8_t)(0x40 + i);

	ram_fill();
	ok = loader_flat(&ram, img, sizeof(img), 0x1000, err, sizeof(err)) == 0;
	CHECK(ok && memcmp(ram_buf + 0x1000, img, sizeof(img)) == 0 &&
	      ram_buf[0xfff] == 0xcc && ram_buf[0x1000 + sizeof(img)] == 0xcc,
	      "flat_image_copied_to_load_address_exactly");
	ram_fill();
	CHECK(loader_flat(&ram, img, sizeof(img), RAM_LIMIT - sizeof(img), err,
			  sizeof(err)) == 0, "flat_image_ending_at_limit_fits");
	ram_fill();
	CHECK(loader_flat(&ram, img, sizeof(img), RAM_LIMIT - sizeof(img) + 1,
			  err, sizeof(err)) < 0 && strstr(err, "does not fit") &&
	      ram_untouched(), "flat_image_crossing_limit_rejected");
	CHECK(loader_flat(&ram, img, RAM_LIMIT + 1, 0, err, sizeof(err)) < 0 &&
	      ram_untouched(), "flat_image_larger_than_ram_rejected");
	CHECK(loader_flat(&ram, img, sizeof(img), UINT64_MAX - 8, err,
			  sizeof(err)) < 0 && ram_untouched(),
	      "flat_load_address_near_2_64_rejected_without_wrap");
	CHECK(loader_flat(&ram, img, 0, 0x1000, err, sizeof(err)) < 0 &&
	      strstr(err, "empty"), "flat_empty_image_rejected");

	make_elf64(&e);
	CHECK(loader_is_elf(&e, sizeof(e)) && !loader_is_elf(img, sizeof(img)) &&
	      !loader_is_elf(&e, 3), "elf_magic_detected_only_when_present");
	ram_fill();
	ok = loader_elf(&ram, &e, sizeof(e), &entry, err, sizeof(err)) == 0;
	CHECK(ok && entry == 0x2004, "elf_entry_taken_from_header");
	CHECK(ok && memcmp(ram_buf + 0x2000, e.data, 16) == 0,
	      "elf_segment_placed_at_physical_address");
	{
		static const uint8_t zero[16];

		CHECK(ok && memcmp(ram_buf + 0x2010, zero, 16) == 0 &&
		      ram_buf[0x2020] == 0xcc, "elf_bss_zero_filled_up_to_memsz");
	}
	CHECK(ok && ram_buf[0x9000] == 0xcc, "elf_non_load_segment_ignored");

	/* ELF32 (e.g. a multiboot-style 32-bit kernel). */
	{
		struct {
			Elf32_Ehdr eh;
			Elf32_Phdr ph;
			uint8_t data[8];
		} e32;

		memset(&e32, 0, sizeof(e32));
		memcpy(e32.eh.e_ident, ELFMAG, SELFMAG);
		e32.eh.e_ident[EI_CLASS] = ELFCLASS32;
		e32.eh.e_ident[EI_DATA] = ELFDATA2LSB;
		e32.eh.e_type = ET_EXEC;
		e32.eh.e_machine = EM_386;
		e32.eh.e_entry = 0x3000;
		e32.eh.e_phoff = sizeof(Elf32_Ehdr);
		e32.eh.e_phentsize = sizeof(Elf32_Phdr);
		e32.eh.e_phnum = 1;
		e32.ph.p_type = PT_LOAD;
		e32.ph.p_offset = sizeof(Elf32_Ehdr) + sizeof(Elf32_Phdr);
		e32.ph.p_paddr = 0x3000;
		e32.ph.p_filesz = 8;
		e32.ph.p_memsz = 8;
		memset(e32.data, 0x77, 8);
		ram_fill();
		CHECK(loader_elf(&ram, &e32, sizeof(e32), &entry, err, sizeof(err)) == 0 &&
		      entry == 0x3000 && ram_buf[0x3000] == 0x77 && ram_buf[0x3007] == 0x77 &&
		      ram_buf[0x3008] == 0xcc, "elf32_image_loaded");
	}

	CHECK(elf_fails(&e, 20, "truncated"), "elf_truncated_header_rejected");
	CHECK(elf_fails(&e, offsetof(struct elf64_img, ph) + 10, "truncated"),
	      "elf_truncated_program_headers_rejected");
	CHECK(elf_fails(&e, offsetof(struct elf64_img, data) + 8, "truncated"),
	      "elf_truncated_segment_data_rejected");

	make_elf64(&e);
	e.ph[0].p_paddr = RAM_LIMIT - 16;
	CHECK(elf_fails(&e, sizeof(e), "does not fit"),
	      "elf_segment_bss_crossing_limit_rejected");
	make_elf64(&e);
	e.ph[0].p_memsz = 0x100000;
	CHECK(elf_fails(&e, sizeof(e), "does not fit"),
	      "elf_segment_larger_than_ram_rejected");
	make_elf64(&e);
	e.ph[0].p_paddr = UINT64_MAX - 4;
	CHECK(elf_fails(&e, sizeof(e), "does not fit"),
	      "elf_segment_address_wrap_rejected");
	make_elf64(&e);
	e.ph[0].p_offset = UINT64_MAX - 4;
	CHECK(elf_fails(&e, sizeof(e), "truncated"), "elf_segment_offset_wrap_rejected");
	make_elf64(&e);
	e.ph[0].p_filesz = 64;
	CHECK(elf_fails(&e, sizeof(e), "p_filesz"), "elf_filesz_above_memsz_rejected");
	make_elf64(&e);
	e.eh.e_type = ET_DYN;
	CHECK(elf_fails(&e, sizeof(e), "ET_EXEC"), "elf_pie_rejected");
	make_elf64(&e);
	e.eh.e_machine = EM_AARCH64;
	CHECK(elf_fails(&e, sizeof(e), "x86"), "elf_other_machine_rejected");
	make_elf64(&e);
	e.ph[0].p_type = PT_NULL;
	CHECK(elf_fails(&e, sizeof(e), "no PT_LOAD"), "elf_without_load_segment_rejected");
	make_elf64(&e);
	e.eh.e_phoff = UINT64_MAX - 8;
	CHECK(elf_fails(&e, sizeof(e), "truncated"), "elf_phoff_wrap_rejected");
	make_elf64(&e);
	e.eh.e_ident[EI_CLASS] = 7;
	CHECK(elf_fails(&e, sizeof(e), "class"), "elf_unknown_class_rejected");
	/* A bad second segment must not leave the first one loaded. */
	make_elf64(&e);
	e.ph[1].p_type = PT_LOAD;
	e.ph[1].p_memsz = 0x100000;
	CHECK(elf_fails(&e, sizeof(e), "segment 1"),
	      "elf_bad_later_segment_leaves_ram_untouched");
}
