// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl list and vmctl stat: the running VMs and their exit rates, read
 * from the counters svmhv keeps in debugfs, one directory per VM
 * (/sys/kernel/debug/svmhv/<pid>-<vm id>/) with one number per file --
 * the layout kvm_stat reads for KVM.  Any counter the module adds shows
 * up here without a change to vmctl.
 *
 * Output goes to stdout: unlike `vmctl start`, these commands have no
 * guest console to keep clean.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exit_status.h"
#include "stat.h"

#define MAX_COUNTERS	64
#define NAME_LEN	48

struct counters {
	int n;
	char name[MAX_COUNTERS][NAME_LEN];
	uint64_t value[MAX_COUNTERS];
};

static const char *stats_root(void)
{
	const char *root = getenv("VMCTL_DEBUGFS");

	return root && *root ? root : "/sys/kernel/debug/svmhv";
}

static int read_u64(const char *path, uint64_t *val)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%" SCNu64, val) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

static void counters_add(struct counters *c, const char *name, uint64_t v)
{
	int i;

	for (i = 0; i < c->n; i++) {
		if (!strcmp(c->name[i], name)) {
			c->value[i] += v;
			return;
		}
	}
	if (c->n == MAX_COUNTERS || strlen(name) >= NAME_LEN)
		return;
	memcpy(c->name[c->n], name, strlen(name) + 1);
	c->value[c->n++] = v;
}

/* Add every counter file of one VM directory to c. */
static int vm_read(const char *vmdir, struct counters *c)
{
	DIR *d = opendir(vmdir);
	struct dirent *e;
	char path[512];
	uint64_t v;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", vmdir, e->d_name);
		if (!read_u64(path, &v))
			counters_add(c, e->d_name, v);
	}
	closedir(d);
	return 0;
}

static uint64_t counter(const struct counters *c, const char *name)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->name[i], name))
			return c->value[i];
	return 0;
}

/*
 * Guest RAM the VM has touched, in pages: what its nested page tables map
 * (mapped_pages) on svmhv with MMU notifiers, where nothing stays pinned;
 * older modules pinned every touched page and had no mapped_pages.
 */
static uint64_t guest_ram_pages(const struct counters *c)
{
	uint64_t mapped = counter(c, "mapped_pages");

	return mapped ? mapped : counter(c, "pinned_pages");
}

static DIR *open_root(void)
{
	DIR *d = opendir(stats_root());

	if (!d)
		fprintf(stderr, "vmctl: cannot read %s: %s (is svmhv loaded and"
			" debugfs mounted: mount -t debugfs none"
			" /sys/kernel/debug?)\n", stats_root(), strerror(errno));
	return d;
}

int cmd_list(int argc, char **argv)
{
	struct dirent *e;
	char path[512];
	DIR *d;

	if (argc > 1) {
		fprintf(stderr, "vmctl: unexpected argument '%s'; usage: vmctl"
			" list\n", argv[1]);
		return VMCTL_EXIT_USAGE;
	}
	d = open_root();
	if (!d)
		return VMCTL_EXIT_HOST_ERROR;
	printf("%-8s %-6s %-6s %12s %14s\n", "PID", "VM", "VCPUS",
	       "GUEST-RAM", "EXITS");
	while ((e = readdir(d))) {
		struct counters c = { 0 };
		unsigned int pid, id;

		if (sscanf(e->d_name, "%u-%u", &pid, &id) != 2)
			continue;
		snprintf(path, sizeof(path), "%s/%s", stats_root(), e->d_name);
		if (vm_read(path, &c))
			continue;	/* the VM went away meanwhile */
		printf("%-8u %-6u %-6" PRIu64 " %11.1fM %14" PRIu64 "\n", pid,
		       id, counter(&c, "vcpus"),
		       guest_ram_pages(&c) * 4096.0 / (1 << 20),
		       counter(&c, "exits"));
	}
	closedir(d);
	return 0;
}

/* Sum of every VM's counters; the number of VMs in *nvms. */
static int sample(struct counters *c, int *nvms)
{
	struct dirent *e;
	char path[512];
	DIR *d = open_root();

	if (!d)
		return -1;
	memset(c, 0, sizeof(*c));
	*nvms = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", stats_root(), e->d_name);
		if (!vm_read(path, c))
			(*nvms)++;
	}
	closedir(d);
	return 0;
}

/* Only event counters have a meaningful rate. */
static int is_event(const char *name)
{
	size_t n = strlen(name);

	return (n > 6 && !strcmp(name + n - 6, "_exits")) ||
	       !strcmp(name, "exits") || !strcmp(name, "injected_events");
}

static void print_rates(const struct counters *before,
			const struct counters *after, double secs, int nvms)
{
	int order[MAX_COUNTERS], i, j, n = 0;
	double rate[MAX_COUNTERS];

	for (i = 0; i < after->n; i++) {
		uint64_t a = after->value[i], b = counter(before, after->name[i]);

		if (!is_event(after->name[i]))
			continue;
		rate[i] = a > b ? (a - b) / secs : 0;
		order[n++] = i;
	}
	/* Busiest first, as kvm_stat shows them. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && rate[order[j]] > rate[order[j - 1]]; j--) {
			int t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	printf("svmhv: %d VM(s), %.1f s interval\n", nvms, secs);
	printf("%-20s %14s %12s\n", "EVENT", "TOTAL", "PER-SECOND");
	for (i = 0; i < n; i++)
		printf("%-20s %14" PRIu64 " %12.0f\n", after->name[order[i]],
		       after->value[order[i]], rate[order[i]]);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int cmd_stat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, '1' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct counters before, after;
	double interval = 1.0, t0, t1;
	int once = 0, opt, nvms;
	char *end;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "1i:h", opts, NULL)) != -1) {
		switch (opt) {
		case '1':
			once = 1;
			break;
		case 'i':
			interval = strtod(optarg, &end);
			if (*end || !(interval >= 0.1 && interval <= 3600)) {
				fprintf(stderr, "vmctl: invalid --interval '%s':"
					" seconds from 0.1 to 3600\n", optarg);
				return VMCTL_EXIT_USAGE;
			}
			break;
		case 'h':
			printf("Usage: vmctl stat [--once] [--interval SECONDS]\n"
			       "Exits per second, summed over all svmhv VMs,"
			       " busiest first (default: refresh every 1 s"
			       " until interrupted).\n");
			return 0;
		default:
			fprintf(stderr, "vmctl: unknown option '%s'; usage:"
				" vmctl stat [--once] [--interval SECONDS]\n",
				argv[optind - 1]);
			return VMCTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmctl: unexpected argument '%s'\n",
			argv[optind]);
		return VMCTL_EXIT_USAGE;
	}
	if (sample(&before, &nvms))
		return VMCTL_EXIT_HOST_ERROR;
	t0 = now();
	for (;;) {
		struct timespec ts = {
			.tv_sec = (time_t)interval,
			.tv_nsec = (long)((interval - (time_t)interval) * 1e9),
		};

		nanosleep(&ts, NULL);
		if (sample(&after, &nvms))
			return VMCTL_EXIT_HOST_ERROR;
		t1 = now();
		if (!once && isatty(STDOUT_FILENO))
			printf("\033[H\033[2J");	/* redraw in place */
		print_rates(&before, &after, t1 - t0, nvms);
		fflush(stdout);
		if (once)
			return 0;
		before = after;
		t0 = t1;
	}
}
