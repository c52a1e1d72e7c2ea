/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The value of vmctl's --net option, "tap=NAME[,mac=MAC]": parsed here,
 * free of I/O, so that tests/unit_net.c pins every spelling.  Whether
 * NAME can be opened is the tap's business (virtio/net.c), a host error
 * and not a usage error.
 */
#ifndef VMCTL_NET_OPT_H
#define VMCTL_NET_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --net options per guest (one PCI function each). */
#define VMCTL_MAX_NETS		4
/* Longest NAME kept (the kernel's limit, IFNAMSIZ - 1, is 15: longer
 * names parse, and then fail to open with a clear message). */
#define NET_OPT_NAME_MAX	64

struct net_opt {
	char tap[NET_OPT_NAME_MAX + 1];
	uint8_t mac[6];
	bool mac_set;
};

/* 0, or -1 with the reason in @why. */
int net_opt_parse(const char *s, struct net_opt *o, char *why, size_t len);
/* "52:54:00:12:34:56" into @mac: six pairs of hex digits, a unicast
 * address that is not all zeros.  0 or -1. */
int net_parse_mac(const char *s, size_t len, uint8_t mac[6]);

#endif /* VMCTL_NET_OPT_H */
