// SPDX-License-Identifier: GPL-2.0
/*
 * A QEMU TCG plugin for bench/exitprof/exitprof.sh: counts how often the
 * emulated CPU executes each instruction, by guest virtual address, and
 * writes the counts out whenever the marker instruction below runs
 * (bench/exitprof/mark.c executes it), to OUT.0, OUT.1, ... -- so that
 * the difference between two dumps is what ran in between, per address.
 *
 *   marker: nopw 0x5ac1fe42(%rax) = 66 0f 1f 80 42 fe c1 5a
 *
 * Built against QEMU 7.2's plugin API (version 1).  Debian ships QEMU with
 * plugin support but without qemu-plugin.h, so the few declarations used
 * are repeated here; they are the same in every API version up to 1.
 *
 * Usage: qemu-system-x86_64 ... -plugin insn_count.so,arg=out=PREFIX
 * (one vCPU: the counters are not atomic).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t qemu_info_t;

enum qemu_plugin_cb_flags {
	QEMU_PLUGIN_CB_NO_REGS,
	QEMU_PLUGIN_CB_R_REGS,
	QEMU_PLUGIN_CB_RW_REGS,
};

enum qemu_plugin_op {
	QEMU_PLUGIN_INLINE_ADD_U64,
};

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index,
					    void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags,
					    void *userdata);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
						enum qemu_plugin_op op,
						void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* Open addressing, by address; a few hundred thousand are ever executed. */
#define HASH_BITS	23
#define HASH_SIZE	(1u << HASH_BITS)

static uint64_t *keys;		/* address + 1; 0: free */
static uint64_t *counts;
static const char *out = "insn_count";
static int dumps;
static const unsigned char marker[8] = {
	0x66, 0x0f, 0x1f, 0x80, 0x42, 0xfe, 0xc1, 0x5a
};

static uint64_t *counter(uint64_t va)
{
	uint64_t h = (va * 0x9e3779b97f4a7c15ull) >> (64 - HASH_BITS);

	for (;;) {
		if (keys[h] == va + 1)
			return &counts[h];
		if (!keys[h]) {
			keys[h] = va + 1;
			return &counts[h];
		}
		h = (h + 1) & (HASH_SIZE - 1);
	}
}

static void dump(unsigned int vcpu_index, void *userdata)
{
	char name[4096];
	uint32_t i;
	FILE *f;

	(void)vcpu_index;
	(void)userdata;
	snprintf(name, sizeof(name), "%s.%d", out, dumps++);
	f = fopen(name, "w");
	if (!f) {
		perror(name);
		return;
	}
	for (i = 0; i < HASH_SIZE; i++)
		if (keys[i] && counts[i])
			fprintf(f, "%llx %llu\n",
				(unsigned long long)keys[i] - 1,
				(unsigned long long)counts[i]);
	fclose(f);
}

static void translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;

	(void)id;
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		qemu_plugin_register_vcpu_insn_exec_inline(insn,
			QEMU_PLUGIN_INLINE_ADD_U64,
			counter(qemu_plugin_insn_vaddr(insn)), 1);
		if (qemu_plugin_insn_size(insn) == sizeof(marker) &&
		    !memcmp(qemu_plugin_insn_data(insn), marker, sizeof(marker)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, dump,
				QEMU_PLUGIN_CB_NO_REGS, NULL);
	}
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
			int argc, char **argv)
{
	(void)info;
	if (argc > 0 && !strncmp(argv[0], "out=", 4))
		out = argv[0] + 4;
	keys = calloc(HASH_SIZE, sizeof(*keys));
	counts = calloc(HASH_SIZE, sizeof(*counts));
	if (!keys || !counts)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, translate);
	return 0;
}
