// SPDX-License-Identifier: GPL-2.0
/*
 * Load the test binary itself into guest memory, after
 * tools/testing/selftests/kvm/lib/elf.c: the test is a non-PIE executable
 * (ET_EXEC), so each PT_LOAD segment has a fixed virtual address, and the
 * segment is copied to guest physical == virtual address.  The guest's
 * identity page tables then make every function and global of the binary
 * usable by guest code at the address the host knows it by.
 *
 * The copy comes from the file, not from the running process: the guest
 * sees globals with their initial values, and bss zeroed.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "svmhv_util.h"

static void pread_full(int fd, void *buf, size_t len, off_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, off);

		TEST_ASSERT(n > 0, "read of the test binary at %#lx failed",
			    (unsigned long)off);
		p += n;
		len -= n;
		off += n;
	}
}

int elf_read_load_segments(int fd, struct elf_segment *segs, int max)
{
	Elf64_Ehdr eh;
	int n = 0;

	pread_full(fd, &eh, sizeof(eh), 0);
	TEST_ASSERT(!memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
		    eh.e_ident[EI_CLASS] == ELFCLASS64 &&
		    eh.e_ident[EI_DATA] == ELFDATA2LSB,
		    "not a 64-bit little-endian ELF file");
	TEST_ASSERT(eh.e_machine == EM_X86_64, "ELF machine %u is not x86-64",
		    eh.e_machine);
	TEST_ASSERT(eh.e_type == ET_EXEC,
		    "ELF type %u: the test binary must be linked -no-pie",
		    eh.e_type);
	TEST_ASSERT(eh.e_phentsize == sizeof(Elf64_Phdr),
		    "ELF program header size %u", eh.e_phentsize);

	for (int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		pread_full(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		TEST_ASSERT(n < max, "more than %d PT_LOAD segments", max);
		TEST_ASSERT(ph.p_filesz <= ph.p_memsz,
			    "PT_LOAD %d: filesz %#lx > memsz %#lx", i,
			    ph.p_filesz, ph.p_memsz);
		segs[n].vaddr = ph.p_vaddr;
		segs[n].filesz = ph.p_filesz;
		segs[n].memsz = ph.p_memsz;
		segs[n].offset = ph.p_offset;
		n++;
	}
	TEST_ASSERT(n > 0, "no PT_LOAD segment");
	return n;
}

uint64_t vm_load_elf(struct svmhv_vm *vm, const char *path)
{
	struct elf_segment segs[ELF_MAX_SEGMENTS];
	uint64_t end = 0;
	int fd, n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	TEST_ASSERT(fd >= 0, "open(%s)", path);
	n = elf_read_load_segments(fd, segs, ELF_MAX_SEGMENTS);

	for (int i = 0; i < n; i++) {
		struct elf_segment *s = &segs[i];
		uint8_t *dst;

		TEST_ASSERT(s->vaddr >= GUEST_LOW_FREE_END &&
			    s->vaddr + s->memsz <= vm->ram_size,
			    "segment [%#lx, %#lx) does not fit guest RAM [%#llx, %#lx)",
			    s->vaddr, s->vaddr + s->memsz, GUEST_LOW_FREE_END,
			    vm->ram_size);
		dst = addr_gpa2hva(vm, s->vaddr);
		pread_full(fd, dst, s->filesz, s->offset);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
		if (s->vaddr + s->memsz > end)
			end = s->vaddr + s->memsz;
	}
	close(fd);
	return end;
}
