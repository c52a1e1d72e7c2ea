// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl: run a guest image under svmhv.  This file is the command line and
 * the run loop: parse options, map guest RAM, load the image, set up the
 * CPU mode, then turn each exit the module reports into a device access or
 * into one of the exit statuses of exit_status.h.
 *
 * Conventions scripts rely on (issue 8): stdout carries only the guest's
 * console bytes; everything vmctl says goes to stderr as "vmctl: ..." lines;
 * exit statuses are fixed.  A SIGINT/SIGTERM/SIGHUP handler only sets a flag
 * and the run structure's immediate_exit, so that SVMHV_RUN returns -EINTR
 * even if the signal lands between the flag check and the ioctl; the loop
 * then tears the VM down and re-raises the signal so the shell reports it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "console_in.h"
#include "cpu_mode.h"
#include "dev_exit_port.h"
#include "dev_uart8250.h"
#include "exit_status.h"
#include "stat.h"
#include "io_bus.h"
#include "loader.h"
#include "loader_linux.h"
#include "options.h"
#include "pc_board.h"
#include "vm.h"

#define VMCTL_VERSION	"1.0"
#define DEFAULT_DEVICE	"/dev/svmhv"
#define COM1_BASE	0x3f8
#define LINUX_MEM_DEFAULT	(256ull << 20)
/* RAM below the PCI hole; the rest of a larger --mem goes above 4 GiB. */
#define LINUX_LOW_RAM_MAX	(3ull << 30)
#define NS_PER_S	1000000000ull
/* How often stdin is looked at while the guest runs. */
#define INPUT_POLL_NS	(10ull * 1000 * 1000)

struct config {
	uint64_t mem;
	uint64_t load;
	uint64_t entry;
	bool mem_set;
	bool load_set;
	bool entry_set;
	bool mode_set;
	enum cpu_mode mode;
	bool strict_io;
	bool verbose;
	unsigned int cpus;	/* --cpus: vCPUs of a Linux guest */
	const char *device;
	const char *image;
	const char *kernel;	/* -k: boot Linux on a PC board */
	const char *initrd;
	const char *cmdline;
};

/*
 * Run-time state of a Linux guest: the PC board, console input and the
 * POSIX timer whose SIGALRM pulls SVMHV_RUN back when a device needs
 * attention.  Flat images run without it (machine pointer NULL).
 */
struct machine {
	struct pc_board board;
	struct console_in in;
	timer_t timer;
	uint64_t t0_ns;		/* CLOCK_MONOTONIC at PIT time 0 */
	uint64_t armed_ns;	/* absolute expiry the timer is set to, 0 none */
	uint64_t next_poll_ns;	/* next look at stdin */
	uint64_t injected;	/* interrupts injected, for the stop report */
	uint64_t windows;	/* interrupt windows requested */
	bool warned_mmio;
};

static volatile sig_atomic_t stop_signal;
static struct svmhv_run *volatile signal_run;

static void msg(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	/* One write(2) per line, so lines from vmctl never interleave with
	 * each other mid-line when stderr is shared. */
	n = snprintf(line, sizeof(line), "vmctl: ");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, line, (size_t)n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		memmove(line, line + w, (size_t)(n - w));
		n -= (int)w;
	}
}

static void help(void)
{
	printf(
"Usage: vmctl start [OPTIONS] IMAGE\n"
"       vmctl start -k KERNEL [-i INITRD] [-p CMDLINE] [-m SIZE] [-c N]\n"
"       vmctl list\n"
"       vmctl stat [--once] [--interval SECONDS]\n"
"       vmctl --help | --version\n"
"\n"
"Run IMAGE (a flat binary, or an ET_EXEC ELF file if it starts with the ELF\n"
"magic) on one vCPU under the svmhv hypervisor.  The guest's COM1 output is\n"
"vmctl's stdout; vmctl's own messages go to stderr, prefixed 'vmctl: '.\n"
"With -k, boot a Linux kernel (bzImage or ELF vmlinux) on a legacy PC\n"
"(8259 PICs, 8254 PIT, CMOS RTC, COM1 with input from stdin); a terminal\n"
"on stdin is put in raw mode, Ctrl-A x quits.\n"
"\n"
"Options for start:\n"
"  -k, --kernel FILE    Linux bzImage or vmlinux to boot (no IMAGE then)\n"
"  -i, --initrd FILE    initramfs for -k\n"
"  -p, --cmdline TEXT   kernel command line for -k (vmctl appends\n"
"                       tsc_early_khz=N unless TEXT sets it)\n"
"  -m, --mem SIZE       guest RAM at physical 0; bytes or K/M/G suffix,\n"
"                       multiple of 4K, 1M..512G (default 64M; 256M with\n"
"                       -k, RAM beyond 3G then starts at 4G)\n"
"  -c, --cpus N         vCPUs for -k, 1..64 (default 1); above 1 needs\n"
"                       svmhv's in-kernel local APIC (SVMHV_CAP_LAPIC)\n"
"  -M, --mode MODE      real, protected or long (default long)\n"
"  -l, --load ADDR      load address of a flat image, 0x-hex or decimal\n"
"                       (default 0x1000; not allowed for ELF images)\n"
"  -e, --entry ADDR     first RIP (default: --load for a flat image,\n"
"                       e_entry for an ELF image)\n"
"  -d, --device PATH    svmhv device (default $VMCTL_DEVICE, else /dev/svmhv)\n"
"  -s, --strict-io      stop the guest (status 84) when it reads or writes a\n"
"                       port no device claims (default: reads give all-ones,\n"
"                       writes are ignored)\n"
"  -v, --verbose        trace setup and every exit on stderr\n"
"  -h, --help           show this help and exit\n"
"  -V, --version        show the version and exit\n"
"\n"
"Devices: 8250 UART (COM1) at 0x3f8; exit port at 0xf4 (a byte N ends vmctl\n"
"with status N).  Hypercalls (VMMCALL) return -1 in RAX.\n"
"\n"
"Exit status:\n"
"  0      -k: the guest powered off or rebooted, or Ctrl-A x\n"
"  N      the guest wrote byte N to port 0xf4 (guests should use 0..63)\n"
"  1      host-side error (module not loaded, device or image unusable)\n"
"  2      usage error (bad option or value, missing IMAGE)\n"
"  80     guest halted with interrupts disabled (HLT, IF=0; not with -k)\n"
"  81     guest halted with interrupts enabled (HLT, IF=1; nothing wakes it)\n"
"  82     triple fault (shutdown; with -k a reboot, status 0)\n"
"  83     guest accessed memory outside RAM (MMIO)\n"
"  84     --strict-io: access to an unclaimed port\n"
"  85     VMRUN refused the guest state (entry failed)\n"
"  86     svmhv internal error (e.g. instruction could not be emulated)\n"
"  87     SVM exit not handled by svmhv\n"
"  88     exit reason unknown to vmctl\n"
"  128+N  stopped by signal N (SIGINT 130, SIGTERM 143)\n"
"\n"
"list shows the running VMs (pid, VM id, vCPUs, guest RAM touched, exits);\n"
"stat shows exits per second by reason over all VMs, like kvm_stat (both\n"
"read /sys/kernel/debug/svmhv, or $VMCTL_DEBUGFS).\n"
"\n"
"See vmctl(1) for the guest's starting state in each mode.\n");
}

static int usage_error(const char *fmt, ...)
{
	char text[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	msg("%s (try 'vmctl --help')", text);
	return VMCTL_EXIT_USAGE;
}

static int bad_value(const char *opt, const char *val, enum opt_error e)
{
	return usage_error("invalid %s '%s': %s", opt, val, opt_strerror(e));
}

/* Returns -1 when the options are good, else the exit status. */
static int parse_start(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "kernel",	required_argument, NULL, 'k' },
		{ "initrd",	required_argument, NULL, 'i' },
		{ "cmdline",	required_argument, NULL, 'p' },
		{ "mem",	required_argument, NULL, 'm' },
		{ "cpus",	required_argument, NULL, 'c' },
		{ "mode",	required_argument, NULL, 'M' },
		{ "load",	required_argument, NULL, 'l' },
		{ "entry",	required_argument, NULL, 'e' },
		{ "device",	required_argument, NULL, 'd' },
		{ "strict-io",	no_argument,	   NULL, 's' },
		{ "verbose",	no_argument,	   NULL, 'v' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "version",	no_argument,	   NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("VMCTL_DEVICE");
	enum opt_error e;
	int c;

	*cfg = (struct config){
		.mem = VMCTL_MEM_DEFAULT,
		.load = VMCTL_LOAD_DEFAULT,
		.mode = CPU_MODE_LONG,
		.cpus = 1,
		.device = env && *env ? env : DEFAULT_DEVICE,
	};
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:i:p:m:c:M:l:e:d:svhV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'k':
			cfg->kernel = optarg;
			break;
		case 'i':
			cfg->initrd = optarg;
			break;
		case 'p':
			cfg->cmdline = optarg;
			break;
		case 'm':
			e = parse_mem_size(optarg, &cfg->mem);
			if (e)
				return bad_value("--mem", optarg, e);
			cfg->mem_set = true;
			break;
		case 'c':
			e = parse_cpus(optarg, &cfg->cpus);
			if (e)
				return bad_value("--cpus", optarg, e);
			break;
		case 'M':
			if (parse_cpu_mode(optarg, &cfg->mode))
				return usage_error("invalid --mode '%s': must be"
						   " real, protected or long",
						   optarg);
			cfg->mode_set = true;
			break;
		case 'l':
			e = parse_addr(optarg, &cfg->load);
			if (e)
				return bad_value("--load", optarg, e);
			cfg->load_set = true;
			break;
		case 'e':
			e = parse_addr(optarg, &cfg->entry);
			if (e)
				return bad_value("--entry", optarg, e);
			cfg->entry_set = true;
			break;
		case 'd':
			cfg->device = optarg;
			break;
		case 's':
			cfg->strict_io = true;
			break;
		case 'v':
			cfg->verbose = true;
			break;
		case 'h':
			help();
			return 0;
		case 'V':
			printf("vmctl %s (svmhv API %d)\n", VMCTL_VERSION,
			       SVMHV_API_VERSION);
			return 0;
		case ':':
			return usage_error("option '%s' needs a value",
					   argv[optind - 1]);
		default:
			if (optopt)
				return usage_error("unknown option '-%c'", optopt);
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (cfg->kernel) {
		if (optind < argc)
			return usage_error("unexpected argument '%s': --kernel"
					   " boots Linux, there is no IMAGE",
					   argv[optind]);
		if (cfg->mode_set || cfg->load_set || cfg->entry_set)
			return usage_error("--mode, --load and --entry do not"
					   " apply to --kernel: the Linux boot"
					   " protocol decides");
		if (cfg->strict_io)
			return usage_error("--strict-io does not apply to"
					   " --kernel: Linux probes ports");
		if (!cfg->mem_set)
			cfg->mem = LINUX_MEM_DEFAULT;
		if (!cfg->cmdline)
			cfg->cmdline = "";
		return -1;
	}
	if (cfg->initrd || cfg->cmdline)
		return usage_error("--initrd and --cmdline need --kernel");
	if (cfg->cpus > 1)
		return usage_error("--cpus needs --kernel: an IMAGE runs on"
				   " one vCPU");
	if (optind == argc)
		return usage_error("missing IMAGE");
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s' after IMAGE '%s'",
				   argv[optind + 1], argv[optind]);
	cfg->image = argv[optind];
	return -1;
}

/* Read the whole file; NULL (message given) on failure.  @what names it
 * in messages ("image", "kernel", "initrd"); @ram_limit bounds files that
 * are copied byte for byte (not ELF ones). */
static uint8_t *read_file(const char *what, const char *path, size_t *len,
			  uint64_t ram_limit)
{
	struct stat st;
	uint8_t magic[4] = { 0 };
	uint8_t *buf;
	size_t done = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			msg("%s '%s' does not exist", what, path);
		else if (errno == EACCES)
			msg("%s '%s': permission denied", what, path);
		else
			msg("cannot open %s '%s': %s", what, path,
			    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		msg("%s '%s' is not a regular file", what, path);
		close(fd);
		return NULL;
	}
	if (pread(fd, magic, sizeof(magic), 0) < 0)
		magic[0] = 0;
	/*
	 * A flat image is copied byte for byte, so one larger than the guest's
	 * RAM can be refused before reading it.  ELF files carry headers and
	 * symbols that are not loaded; their segments are checked instead.
	 */
	if (!loader_is_elf(magic, sizeof(magic)) &&
	    (uint64_t)st.st_size > ram_limit) {
		msg("%s '%s' is %" PRIu64 " bytes, larger than the guest's"
		    " RAM (%" PRIu64 " bytes usable; raise --mem)", what, path,
		    (uint64_t)st.st_size, ram_limit);
		close(fd);
		return NULL;
	}
	*len = (size_t)st.st_size;
	buf = malloc(*len ? *len : 1);
	if (!buf) {
		msg("%s '%s': out of memory reading %zu bytes", what, path,
		    *len);
		close(fd);
		return NULL;
	}
	while (done < *len) {
		ssize_t n = read(fd, buf + done, *len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			msg("cannot read %s '%s': %s", what, path,
			    n < 0 ? strerror(errno) : "file shrank while reading");
			free(buf);
			close(fd);
			return NULL;
		}
		done += (size_t)n;
	}
	close(fd);
	return buf;
}

static void on_stop_signal(int signo)
{
	struct svmhv_run *run = signal_run;

	stop_signal = signo;
	if (run)
		run->immediate_exit = 1;
}

/*
 * The device timer: SVMHV_RUN returns -EINTR because a signal is pending;
 * immediate_exit also catches the expiry that lands between the loop's
 * device update and the ioctl.  A handler, not SIG_IGN: an ignored signal
 * is never pending, so it would not interrupt the guest.
 */
static void on_timer_signal(int signo)
{
	struct svmhv_run *run = signal_run;

	(void)signo;
	if (run)
		run->immediate_exit = 1;
}

static void install_signal_handlers(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	unsigned int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: SVMHV_RUN must come back with EINTR.  Installed even
	 * when the shell started us with SIGINT ignored (a background job),
	 * so "kill -INT" stops the guest cleanly either way. */
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	sa.sa_handler = on_timer_signal;
	sigaction(SIGALRM, &sa, NULL);
}

static const char *internal_suberror(uint32_t sub)
{
	switch (sub) {
	case SVMHV_INTERNAL_EMULATION:	return "instruction could not be emulated";
	case SVMHV_INTERNAL_MEMORY:	return "backing memory of a slot vanished";
	case SVMHV_INTERNAL_FETCH:	return "guest RIP not readable";
	}
	return "unknown suberror";
}

static void stop_with(struct vm_stop *stop, int status, const char *fmt, ...)
{
	va_list ap;

	stop->stop = true;
	stop->quiet = false;
	stop->status = status;
	va_start(ap, fmt);
	vsnprintf(stop->reason, sizeof(stop->reason), fmt, ap);
	va_end(ap);
}

static void handle_io(const struct config *cfg, struct io_bus *bus,
		      struct svmhv_run *run, struct vm_stop *stop)
{
	bool out = run->io.direction == SVMHV_IO_OUT;
	unsigned int size = run->io.size;
	uint32_t count = run->io.count;

	if (cfg->verbose)
		msg("exit: io %s port 0x%x size %u count %u%s%s rip 0x%" PRIx64,
		    out ? "out" : "in", run->io.port, size, count,
		    run->io.string ? " string" : "", run->io.rep ? " rep" : "",
		    run->rip);
	if ((size != 1 && size != 2 && size != 4) || count == 0 ||
	    count > SVMHV_IO_DATA_MAX / size ||
	    run->io.direction > SVMHV_IO_OUT) {
		stop_with(stop, VMCTL_EXIT_UNKNOWN_EXIT, "malformed I/O exit from"
			  " svmhv: direction %u size %u count %u",
			  run->io.direction, size, count);
		return;
	}
	io_bus_access(bus, out, run->io.port, size, count, run->io.data, stop);
}

/*
 * A Linux guest touching guest-physical memory with nothing behind it (a
 * probe of a device this PC does not have) gets what a PC's empty bus
 * gives: all-ones on reads, writes dropped; said once on stderr.
 */
static void pc_unbacked_mmio(struct machine *m, struct svmhv_run *run)
{
	if (!run->mmio.is_write)
		memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
	if (m->warned_mmio)
		return;
	m->warned_mmio = true;
	msg("guest %s %u bytes at 0x%" PRIx64 " where nothing is mapped"
	    " (reads give all-ones, writes are dropped; said once) (rip 0x%"
	    PRIx64 ")", run->mmio.is_write ? "wrote" : "read", run->mmio.len,
	    run->mmio.phys_addr, run->rip);
}

static void handle_exit(const struct config *cfg, struct machine *m,
			struct io_bus *bus, struct svmhv_run *run,
			struct vm_stop *stop)
{
	switch (run->exit_reason) {
	case SVMHV_EXIT_IO:
		handle_io(cfg, bus, run, stop);
		if (m)
			pc_board_sync_irqs(&m->board);
		break;
	case SVMHV_EXIT_MMIO:
		if (m) {
			pc_unbacked_mmio(m, run);
			break;
		}
		stop_with(stop, run->mmio.phys_addr >= cfg->mem ?
			  VMCTL_EXIT_OUTSIDE_RAM : VMCTL_EXIT_UNKNOWN_EXIT,
			  "guest %s %u bytes at 0x%" PRIx64 ", outside guest"
			  " RAM [0x0, 0x%" PRIx64 ") (rip 0x%" PRIx64 ")",
			  run->mmio.is_write ? "wrote" : "read",
			  run->mmio.len, run->mmio.phys_addr, cfg->mem,
			  run->rip);
		break;
	case SVMHV_EXIT_HLT:
		if (m && !run->if_flag)
			/* Linux's halt and power-off end in cli; hlt when no
			 * firmware can switch the machine off. */
			stop_with(stop, 0, "guest halted with interrupts"
				  " disabled: powered off (rip 0x%" PRIx64 ")",
				  run->rip);
		else if (m)
			break;	/* the run loop waits for an interrupt */
		else if (run->if_flag)
			stop_with(stop, VMCTL_EXIT_HLT_IF1, "guest halted with"
				  " interrupts enabled and no device to wake"
				  " it (rip 0x%" PRIx64 ")", run->rip);
		else
			stop_with(stop, VMCTL_EXIT_HLT_IF0, "guest halted with"
				  " interrupts disabled (rip 0x%" PRIx64 ")",
				  run->rip);
		break;
	case SVMHV_EXIT_SHUTDOWN:
		if (m) {
			/* On a PC a triple fault resets the machine; Linux
			 * uses it as its last way to reboot. */
			stop_with(stop, 0, "guest rebooted (triple fault, rip"
				  " 0x%" PRIx64 ")", run->rip);
			break;
		}
		stop_with(stop, VMCTL_EXIT_TRIPLE_FAULT, "guest triple-faulted"
			  " (shutdown; rip 0x%" PRIx64 ")", run->rip);
		break;
	case SVMHV_EXIT_HYPERCALL:
		if (cfg->verbose)
			msg("exit: hypercall rax 0x%" PRIx64 " rip 0x%" PRIx64
			    ": vmctl defines none, returning -1",
			    run->hypercall.rax, run->rip);
		run->hypercall.ret = UINT64_MAX;
		break;
	case SVMHV_EXIT_FAIL_ENTRY:
		stop_with(stop, VMCTL_EXIT_FAIL_ENTRY, "VMRUN refused the guest"
			  " state (hardware exit code 0x%" PRIx64 ")",
			  run->fail_entry.hardware_exit_code);
		break;
	case SVMHV_EXIT_INTERNAL_ERROR: {
		char insn[3 * 16 + 1] = "";
		uint32_t i, n = run->internal.ninsn;

		for (i = 0; i < n && i < 16; i++)
			snprintf(insn + 3 * i, sizeof(insn) - 3 * i, " %02x",
				 run->internal.insn[i]);
		stop_with(stop, VMCTL_EXIT_INTERNAL, "svmhv internal error %u"
			  " (%s) at rip 0x%" PRIx64 ", gpa 0x%" PRIx64
			  ", SVM exit 0x%" PRIx64 ", insn%s",
			  run->internal.suberror,
			  internal_suberror(run->internal.suberror), run->rip,
			  run->internal.gpa, run->internal.exit_code,
			  n ? insn : " unknown");
		break;
	}
	case SVMHV_EXIT_UNHANDLED:
		stop_with(stop, VMCTL_EXIT_UNHANDLED, "SVM exit 0x%" PRIx64
			  " not handled by svmhv (info1 0x%" PRIx64 " info2 0x%"
			  PRIx64 " int_info 0x%" PRIx64 ", rip 0x%" PRIx64 ")",
			  run->unhandled.exit_code, run->unhandled.exit_info1,
			  run->unhandled.exit_info2,
			  run->unhandled.exit_int_info, run->rip);
		break;
	case SVMHV_EXIT_INTR:
	case SVMHV_EXIT_IRQ_WINDOW_OPEN:
		/* The run loop delivers interrupts before the next RUN. */
		break;
	default:
		stop_with(stop, VMCTL_EXIT_UNKNOWN_EXIT, "svmhv reported exit"
			  " reason %u, unknown to vmctl (rip 0x%" PRIx64 ")",
			  run->exit_reason, run->rip);
		break;
	}
}

static uint8_t com1_read(void *opaque, uint16_t offset)
{
	return uart8250_read(opaque, offset);
}

static void com1_write(void *opaque, uint16_t offset, uint8_t val,
		       struct vm_stop *stop)
{
	(void)stop;
	uart8250_write(opaque, offset, val);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* Nanoseconds to PIT ticks (rounded down) and back (rounded up, so a
 * timer set for tick T fires when tick T has been reached), in two parts
 * to stay clear of 64-bit overflow. */
static uint64_t ns_to_ticks(uint64_t ns)
{
	return ns / NS_PER_S * I8254_HZ + ns % NS_PER_S * I8254_HZ / NS_PER_S;
}

static uint64_t ticks_to_ns(uint64_t t)
{
	return t / I8254_HZ * NS_PER_S +
	       (t % I8254_HZ * NS_PER_S + I8254_HZ - 1) / I8254_HZ;
}

/*
 * Move bytes waiting on stdin into COM1 as far as its receiver has room,
 * once the guest's driver listens (received-data interrupt enabled and
 * connected).  Earlier bytes would only be thrown away: Linux clears the
 * receive FIFO when it starts the port, and nobody reads the port before.
 */
static void pc_feed_uart(struct machine *m)
{
	struct uart8250 *u = &m->board.com1;

	if (!uart8250_rx_irq_armed(u))
		return;
	while (console_in_pending(&m->in) && uart8250_rx_room(u)) {
		uart8250_receive(u, console_in_peek(&m->in));
		console_in_pop(&m->in);
	}
}

/* Bring the board up to date: time, input, interrupt lines. */
static void pc_service(struct machine *m, struct vm_stop *stop)
{
	uint64_t now = mono_ns();

	pc_board_tick(&m->board, ns_to_ticks(now - m->t0_ns),
		      (int64_t)time(NULL));
	if (now >= m->next_poll_ns) {
		struct pollfd p = { .fd = m->in.fd, .events = POLLIN };

		m->next_poll_ns = now + INPUT_POLL_NS;
		if (console_in_wants_read(&m->in) && poll(&p, 1, 0) > 0)
			console_in_read(&m->in);
	}
	pc_feed_uart(m);
	pc_board_sync_irqs(&m->board);
	if (m->in.quit)
		stop_with(stop, 0, "quit (Ctrl-A x)");
}

/* Set the timer to the earliest moment a device needs the run loop. */
static void pc_arm_timer(struct machine *m)
{
	struct itimerspec its = { 0 };
	uint64_t when, deadline = 0;

	if (pc_board_next_timer(&m->board, &when))
		deadline = m->t0_ns + ticks_to_ns(when);
	if (console_in_wants_read(&m->in) &&
	    (!deadline || m->next_poll_ns < deadline))
		deadline = m->next_poll_ns;
	/* An expired timer is disarmed even if the deadline is the same. */
	if (m->armed_ns && m->armed_ns <= mono_ns())
		m->armed_ns = 0;
	if (deadline == m->armed_ns)
		return;
	its.it_value.tv_sec = (time_t)(deadline / NS_PER_S);
	its.it_value.tv_nsec = (long)(deadline % NS_PER_S);
	timer_settime(m->timer, TIMER_ABSTIME, &its, NULL);
	m->armed_ns = deadline;
}

/*
 * The userspace-irqchip rule: inject when the guest can take an
 * interrupt now and none is queued in the module, else ask the module
 * to come back (SVMHV_EXIT_IRQ_WINDOW_OPEN) as soon as it can.  The PIC
 * is acknowledged only at injection, so priorities and masks the guest
 * changes meanwhile are honoured.
 */
static int pc_deliver(struct machine *m, struct vm *vm)
{
	struct svmhv_run *run = vm->run;
	uint8_t vector;

	if (!pc_board_has_interrupt(&m->board)) {
		run->request_interrupt_window = 0;
		return 0;
	}
	if (!run->ready_for_interrupt || run->irq_queued) {
		if (!run->request_interrupt_window)
			m->windows++;
		run->request_interrupt_window = 1;
		return 0;
	}
	m->injected++;
	vector = pc_board_ack(&m->board);
	run->request_interrupt_window = 0;
	if (vm_inject_irq(vm, vector) < 0) {
		msg("SVMHV_INJECT_EVENT of vector 0x%x failed: %s", vector,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * HLT with interrupts enabled: sleep until a device has an interrupt for
 * the guest, input arrives, or a signal.  Signals are blocked between the
 * last check and ppoll(), which unblocks them atomically, so a SIGINT or
 * timer expiry in that window is not slept through.  Status 81 when
 * nothing could ever wake the guest (no timer running, no input that
 * would interrupt, no terminal to type Ctrl-A x on).
 */
static void pc_wait_for_interrupt(struct machine *m, struct vm_stop *stop)
{
	sigset_t block, old;
	uint64_t when;

	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (;;) {
		struct pollfd p = { .fd = m->in.fd, .events = POLLIN };
		struct timespec ts, *tsp = NULL;
		bool timer, input, reader;
		uint64_t now;

		m->next_poll_ns = 0;	/* look at stdin now */
		pc_service(m, stop);
		if (stop_signal || stop->stop ||
		    pc_board_has_interrupt(&m->board))
			break;
		timer = pc_board_timer_can_interrupt(&m->board);
		reader = console_in_wants_read(&m->in);
		input = reader && pc_board_input_can_interrupt(&m->board);
		if (!timer && !input && !(reader && m->in.tty)) {
			stop_with(stop, VMCTL_EXIT_HLT_IF1, "guest halted with"
				  " interrupts enabled and nothing can wake"
				  " it (rip 0x%" PRIx64 ")", signal_run->rip);
			break;
		}
		now = mono_ns();
		if (timer && pc_board_next_timer(&m->board, &when)) {
			uint64_t at = m->t0_ns + ticks_to_ns(when);
			uint64_t d = at > now ? at - now : 0;

			ts.tv_sec = (time_t)(d / NS_PER_S);
			ts.tv_nsec = (long)(d % NS_PER_S);
			tsp = &ts;
		}
		if (!reader)
			p.fd = -1;	/* poll() skips negative fds */
		ppoll(&p, 1, tsp, &old);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Where a Linux guest was when a signal stopped it: what a hang report
 * needs. */
static void pc_report(struct machine *m, const struct svmhv_run *run)
{
	const struct i8259_chip *pm = &m->board.pic.chip[0];
	const struct i8254_channel *c0 = &m->board.pit.ch[0];

	msg("guest state at the stop: last exit %u at rip 0x%" PRIx64 ", IF %u,"
	    " ready %u, irq queued %u, window %u; %" PRIu64 " interrupts"
	    " injected, %" PRIu64 " windows; PIC irr 0x%02x isr 0x%02x imr"
	    " 0x%02x; PIT mode %u count %u next irq %s", run->exit_reason,
	    run->rip, run->if_flag, run->ready_for_interrupt, run->irq_queued,
	    run->request_interrupt_window, m->injected, m->windows, pm->irr,
	    pm->isr, pm->imr, c0->mode, c0->count,
	    c0->next_irq == UINT64_MAX ? "none" : "armed");
}

/* Returns the exit status, or -1 when a stop signal arrived. */
static int run_guest(const struct config *cfg, struct vm *vm,
		     struct machine *m)
{
	struct uart8250 com1;
	struct io_device dev;
	struct io_bus bus;
	struct vm_stop stop = { 0 };

	io_bus_init(&bus, cfg->strict_io);
	if (m) {
		pc_board_init(&m->board, &bus, console_put, NULL);
	} else {
		uart8250_init(&com1, console_put, NULL);
		dev = (struct io_device){
			.name = "com1", .base = COM1_BASE, .len = UART_NR_REGS,
			.opaque = &com1, .read = com1_read, .write = com1_write,
		};
		io_bus_register(&bus, &dev);
	}
	exit_port_device(&dev);
	io_bus_register(&bus, &dev);

	while (!stop.stop) {
		if (m) {
			/* Cleared first: a timer expiry from here on sets
			 * it again and the RUN below returns at once. */
			vm->run->immediate_exit = 0;
			if (stop_signal) {
				pc_report(m, vm->run);
				return -1;
			}
			pc_service(m, &stop);
			if (stop.stop)
				break;
			if (pc_deliver(m, vm) < 0)
				return VMCTL_EXIT_HOST_ERROR;
			pc_arm_timer(m);
		}
		if (stop_signal) {
			if (m)
				pc_report(m, vm->run);
			return -1;
		}
		if (vm_run(vm) < 0) {
			if (errno == EINTR)
				continue;
			console_flush();
			msg("SVMHV_RUN failed: %s", strerror(errno));
			return VMCTL_EXIT_HOST_ERROR;
		}
		if (cfg->verbose && vm->run->exit_reason != SVMHV_EXIT_IO)
			msg("exit: reason %u rip 0x%" PRIx64,
			    vm->run->exit_reason, vm->run->rip);
		handle_exit(cfg, m, &bus, vm->run, &stop);
		if (console_flush() < 0) {
			msg("cannot write guest output to stdout: %s",
			    strerror(errno));
			return VMCTL_EXIT_HOST_ERROR;
		}
		if (m && !stop.stop && vm->run->exit_reason == SVMHV_EXIT_HLT)
			pc_wait_for_interrupt(m, &stop);
	}
	if (!stop.quiet || cfg->verbose)
		msg("%s", stop.reason);
	return stop.status;
}

static int load_image(const struct config *cfg, const struct guest_ram *ram,
		      uint64_t *entry)
{
	char err[256];
	uint8_t *img;
	size_t len;
	int ret;

	img = read_file("image", cfg->image, &len, ram->limit);
	if (!img)
		return VMCTL_EXIT_HOST_ERROR;
	if (loader_is_elf(img, len)) {
		if (cfg->load_set) {
			free(img);
			return usage_error("--load does not apply to ELF image"
					   " '%s': its segments say where they"
					   " go", cfg->image);
		}
		ret = loader_elf(ram, img, len, entry, err, sizeof(err));
	} else {
		*entry = cfg->load;
		ret = loader_flat(ram, img, len, cfg->load, err, sizeof(err));
	}
	free(img);
	if (ret < 0) {
		msg("image '%s': %s", cfg->image, err);
		return VMCTL_EXIT_HOST_ERROR;
	}
	if (cfg->entry_set)
		*entry = cfg->entry;
	return -1;
}

static int finish(int status);


/*
 * svmhv charges guest RAM to the caller's locked memory (RLIMIT_MEMLOCK)
 * while the guest exists: ENOMEM usually means that limit, so say so.
 */
static void ram_error(uint64_t bytes)
{
	int e = errno;

	msg("cannot give %" PRIu64 " bytes of RAM to the guest"
	    " (SVMHV_SET_MEMORY_REGION): %s%s", bytes, strerror(e),
	    e == ENOMEM ? "; guest RAM counts as locked memory: raise the"
	    " locked-memory limit (ulimit -l, or LimitMEMLOCK= for a systemd"
	    " service) above the guest's RAM, or give vmctl CAP_IPC_LOCK" : "");
}
static int cmd_start(const struct config *cfg)
{
	struct svmhv_sregs sregs, cur;
	struct svmhv_regs regs;
	struct cpu_layout lay;
	struct guest_ram ram;
	struct vm vm = VM_INIT;
	char err[256];
	uint64_t entry;
	int status;
	void *mem;

	cpu_mode_layout(cfg->mode, cfg->mem, &lay);
	mem = mmap(NULL, cfg->mem, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED) {
		msg("cannot allocate %" PRIu64 " bytes of guest RAM: %s",
		    cfg->mem, strerror(errno));
		return VMCTL_EXIT_HOST_ERROR;
	}
	ram = (struct guest_ram){ .mem = mem, .size = cfg->mem,
				  .limit = lay.base };

	status = load_image(cfg, &ram, &entry);
	if (status >= 0)
		goto out_ram;
	memset(&sregs, 0, sizeof(sregs));
	if (cpu_mode_setup(cfg->mode, mem, cfg->mem, entry, &regs, &sregs,
			   err, sizeof(err)) < 0) {
		msg("%s", err);
		/* From the command line it is a usage error, from an ELF
		 * header a property of the image. */
		status = cfg->entry_set || cfg->load_set ? VMCTL_EXIT_USAGE
							 : VMCTL_EXIT_HOST_ERROR;
		goto out_ram;
	}
	if (cfg->verbose)
		msg("mode %s, RAM 0x%" PRIx64 " bytes, image '%s', entry 0x%"
		    PRIx64 ", stack 0x%" PRIx64 ", vmctl tables [0x%" PRIx64
		    ", 0x%" PRIx64 ")", cpu_mode_name(cfg->mode), cfg->mem,
		    cfg->image, entry, regs.rsp, lay.base, lay.end);

	status = VMCTL_EXIT_HOST_ERROR;
	if (vm_open(&vm, cfg->device, err, sizeof(err)) < 0) {
		msg("%s", err);
		goto out_vm;
	}
	signal_run = vm.run;
	install_signal_handlers();
	if (vm_set_ram(&vm, mem, cfg->mem) < 0) {
		ram_error(cfg->mem);
		goto out_vm;
	}
	if (vm_get_sregs(&vm, &cur) < 0) {
		msg("SVMHV_GET_SREGS failed: %s", strerror(errno));
		goto out_vm;
	}
	/* vmctl does not choose the APIC base; keep the module's. */
	sregs.apic_base = cur.apic_base;
	if (vm_set_sregs(&vm, &sregs) < 0) {
		msg("SVMHV_SET_SREGS refused the %s-mode state: %s",
		    cpu_mode_name(cfg->mode), strerror(errno));
		goto out_vm;
	}
	if (vm_set_regs(&vm, &regs) < 0) {
		msg("SVMHV_SET_REGS failed: %s", strerror(errno));
		goto out_vm;
	}
	status = run_guest(cfg, &vm, NULL);

out_vm:
	signal_run = NULL;
	vm_close(&vm);
out_ram:
	munmap(mem, cfg->mem);
	return finish(status);
}

/* The common way out: a stop signal is re-raised so the shell sees it. */
static int finish(int status)
{
	int signo = stop_signal;

	console_in_restore();
	if (signo) {
		console_flush();
		msg("stopped by signal %d (%s); VM destroyed", signo,
		    strsignal(signo));
		/* Die of the signal itself so the shell sees 128+signo. */
		signal(signo, SIG_DFL);
		raise(signo);
		return 128 + signo;
	}
	return status;
}

/*
 * The command line the guest gets: the user's, plus tsc_early_khz= from
 * SVMHV_CAP_TSC_KHZ.  Linux only trusts CPUID 0x40000010 from hypervisors
 * it knows; without the frequency it calibrates the TSC against the PIT,
 * which needs thousands of port reads within microseconds and fails
 * when every read is a nested exit.
 */
static char *linux_cmdline(const char *user, long tsc_khz)
{
	size_t len = strlen(user) + 40;
	char *line = malloc(len);

	if (!line)
		return NULL;
	if (tsc_khz > 0 && !strstr(user, "tsc_early_khz="))
		snprintf(line, len, "%s%stsc_early_khz=%ld", user,
			 *user ? " " : "", tsc_khz);
	else
		snprintf(line, len, "%s", user);
	return line;
}

static int cmd_start_linux(const struct config *cfg)
{
	uint64_t low = cfg->mem < LINUX_LOW_RAM_MAX ? cfg->mem
						    : LINUX_LOW_RAM_MAX;
	uint64_t high = cfg->mem - low;
	struct sigevent sev = { 0 };
	struct svmhv_sregs sregs;
	struct svmhv_regs regs;
	struct linux_boot boot;
	struct guest_ram ram;
	struct vm vm = VM_INIT;
	struct machine *m = NULL;
	uint8_t *kernel = NULL, *initrd = NULL;
	size_t klen = 0, ilen = 0;
	char err[256], *cmdline = NULL;
	long tsc_khz;
	int status = VMCTL_EXIT_HOST_ERROR;
	void *mem;

	mem = mmap(NULL, cfg->mem, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED) {
		msg("cannot allocate %" PRIu64 " bytes of guest RAM: %s",
		    cfg->mem, strerror(errno));
		return VMCTL_EXIT_HOST_ERROR;
	}
	/* The loader sees the RAM below the PCI hole; the rest is mapped
	 * at 4 GiB and only appears in the e820 map. */
	ram = (struct guest_ram){ .mem = mem, .size = low, .limit = low };
	kernel = read_file("kernel", cfg->kernel, &klen, UINT64_MAX);
	if (!kernel)
		goto out;
	if (cfg->initrd) {
		initrd = read_file("initrd", cfg->initrd, &ilen, low);
		if (!initrd)
			goto out;
	}
	if (loader_linux(&ram, high, kernel, klen, initrd, ilen, cfg->cmdline,
			 &boot, err, sizeof(err)) < 0) {
		msg("kernel '%s': %s", cfg->kernel, err);
		goto out;
	}
	if (vm_open(&vm, cfg->device, err, sizeof(err)) < 0) {
		msg("%s", err);
		goto out;
	}
	if (vm_check_cap(&vm, SVMHV_CAP_INJECT_EVENT) != 1) {
		msg("this svmhv module cannot inject interrupts"
		    " (SVMHV_CAP_INJECT_EVENT): a Linux guest needs them");
		goto out;
	}
	if (cfg->cpus > 1 && vm_check_cap(&vm, SVMHV_CAP_LAPIC) != 1) {
		msg("--cpus %u: this svmhv module has no in-kernel local APIC"
		    " (SVMHV_CAP_LAPIC), so it runs one vCPU only", cfg->cpus);
		goto out;
	}
	tsc_khz = vm_check_cap(&vm, SVMHV_CAP_TSC_KHZ);
	cmdline = linux_cmdline(cfg->cmdline, tsc_khz);
	if (!cmdline || linux_set_cmdline(&ram, &boot, cmdline, err,
					  sizeof(err)) < 0) {
		msg("kernel '%s': %s", cfg->kernel,
		    cmdline ? err : "out of memory");
		goto out;
	}
	if (cfg->verbose)
		msg("linux: %s at 0x%" PRIx64 " (needs up to 0x%" PRIx64 "),"
		    " entry 0x%" PRIx64 ", boot protocol %u.%02u, initrd 0x%"
		    PRIx64 " bytes at 0x%" PRIx64 ", RAM 0x%" PRIx64 " low +"
		    " 0x%" PRIx64 " at 4G, cmdline \"%s\"",
		    boot.elf ? "vmlinux" : "bzImage", boot.kernel_addr,
		    boot.kernel_end, boot.entry, boot.protocol >> 8,
		    boot.protocol & 0xff, boot.initrd_size, boot.initrd_addr,
		    low, high, cmdline);
	signal_run = vm.run;
	install_signal_handlers();
	if (vm_set_slot(&vm, 0, 0, mem, low) < 0 ||
	    (high && vm_set_slot(&vm, 1, LINUX_HIGH_RAM, (uint8_t *)mem + low,
				 high) < 0)) {
		ram_error(cfg->mem);
		goto out;
	}
	if (vm_get_sregs(&vm, &sregs) < 0) {
		msg("SVMHV_GET_SREGS failed: %s", strerror(errno));
		goto out;
	}
	/* linux_boot_cpu() keeps the module's APIC base from @sregs. */
	linux_boot_cpu(&boot, &regs, &sregs);
	if (vm_set_sregs(&vm, &sregs) < 0) {
		msg("SVMHV_SET_SREGS refused the 64-bit boot state: %s",
		    strerror(errno));
		goto out;
	}
	if (vm_set_regs(&vm, &regs) < 0) {
		msg("SVMHV_SET_REGS failed: %s", strerror(errno));
		goto out;
	}
	free(kernel);
	free(initrd);
	kernel = initrd = NULL;

	m = calloc(1, sizeof(*m));
	if (!m) {
		msg("out of memory");
		goto out;
	}
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGALRM;
	if (timer_create(CLOCK_MONOTONIC, &sev, &m->timer) < 0) {
		msg("cannot create the device timer: %s", strerror(errno));
		free(m);
		m = NULL;
		goto out;
	}
	if (console_in_open(&m->in, STDIN_FILENO) < 0) {
		msg("cannot put the terminal on stdin in raw mode: %s",
		    strerror(errno));
		goto out;
	}
	m->t0_ns = mono_ns();
	status = run_guest(cfg, &vm, m);

out:
	signal_run = NULL;
	if (m) {
		timer_delete(m->timer);
		free(m);
	}
	vm_close(&vm);
	free(cmdline);
	free(kernel);
	free(initrd);
	munmap(mem, cfg->mem);
	return finish(status);
}

int main(int argc, char **argv)
{
	struct config cfg;
	int status;

	if (argc < 2)
		return usage_error("missing command; usage: vmctl start"
				   " [OPTIONS] IMAGE");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		help();
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("vmctl %s (svmhv API %d)\n", VMCTL_VERSION,
		       SVMHV_API_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "stat"))
		return cmd_stat(argc - 1, argv + 1);
	if (strcmp(argv[1], "start"))
		return usage_error("unknown command '%s'", argv[1]);
	status = parse_start(argc - 1, argv + 1, &cfg);
	if (status >= 0)
		return status;
	if (cfg.kernel)
		return cmd_start_linux(&cfg);
	return cmd_start(&cfg);
}
