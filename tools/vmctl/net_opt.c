// SPDX-License-Identifier: GPL-2.0
/*
 * --net tap=NAME[,mac=MAC] (net_opt.h).
 */
#include <stdio.h>
#include <string.h>

#include "net_opt.h"

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int net_parse_mac(const char *s, size_t len, uint8_t mac[6])
{
	unsigned int i;
	int hi, lo;

	if (len != 17)
		return -1;
	for (i = 0; i < 6; i++) {
		hi = hex(s[3 * i]);
		lo = hex(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	/* A station address: not a group address (IEEE 802 I/G bit), not
	 * all zeros. */
	if (mac[0] & 1 || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] |
			    mac[5]))
		return -1;
	return 0;
}

int net_opt_parse(const char *s, struct net_opt *o, char *why, size_t len)
{
	const char *p = s, *end, *eq;
	size_t n;

	memset(o, 0, sizeof(*o));
	if (!*s) {
		snprintf(why, len, "empty value: want tap=NAME[,mac=MAC]");
		return -1;
	}
	while (*p) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq) {
			snprintf(why, len, "'%.*s' is not KEY=VALUE",
				 (int)(end - p), p);
			return -1;
		}
		n = (size_t)(end - eq - 1);
		if ((size_t)(eq - p) == 3 && !strncmp(p, "tap", 3)) {
			if (o->tap[0]) {
				snprintf(why, len, "tap= given twice");
				return -1;
			}
			if (!n || n > NET_OPT_NAME_MAX ||
			    memchr(eq + 1, '/', n)) {
				snprintf(why, len, "tap=NAME needs an interface"
					 " name (no '/', at most %d"
					 " characters)", NET_OPT_NAME_MAX);
				return -1;
			}
			memcpy(o->tap, eq + 1, n);
		} else if ((size_t)(eq - p) == 3 && !strncmp(p, "mac", 3)) {
			if (o->mac_set) {
				snprintf(why, len, "mac= given twice");
				return -1;
			}
			if (net_parse_mac(eq + 1, n, o->mac) < 0) {
				snprintf(why, len, "mac '%.*s' is not a unicast"
					 " address like 52:54:00:12:34:56",
					 (int)n, eq + 1);
				return -1;
			}
			o->mac_set = true;
		} else {
			snprintf(why, len, "unknown key '%.*s' (tap, mac)",
				 (int)(eq - p), p);
			return -1;
		}
		p = *end ? end + 1 : end;
		if (*end && !*p) {
			snprintf(why, len, "trailing ','");
			return -1;
		}
	}
	if (!o->tap[0]) {
		snprintf(why, len, "tap=NAME missing");
		return -1;
	}
	return 0;
}
