// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl: run a guest image under svmhv.  This file is the command line
 * and the start-up: parse options, map guest RAM, load the image or the
 * Linux kernel (with the ACPI tables of the SMP PC when svmhv has
 * in-kernel local APICs), create the VM and its vCPUs, set the boot
 * state, and hand over to the run loop (vcpu.c; machine.c for Linux).
 *
 * Conventions scripts rely on (issue 8): stdout carries only the guest's
 * console bytes; everything vmctl says goes to stderr as "vmctl: ..." lines;
 * exit statuses are fixed.  A stop signal (signals.c) tears the VM down
 * and is re-raised so the shell reports it (finish()).
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acpi.h"
#include "console.h"
#include "console_in.h"
#include "cpu_features.h"
#include "cpu_mode.h"
#include "dev_exit_port.h"
#include "dev_uart8250.h"
#include "exit_status.h"
#include "io_bus.h"
#include "loader.h"
#include "loader_linux.h"
#include "machine.h"
#include "msg.h"
#include "net_opt.h"
#include "options.h"
#include "pc_board.h"
#include "signals.h"
#include "stat.h"
#include "vcpu.h"
#include "vcpu_cpuid.h"
#include "virtio/console.h"
#include "vm.h"

#define VMCTL_VERSION	"1.0"
#define DEFAULT_DEVICE	"/dev/svmhv"
#define COM1_BASE	0x3f8
#define LINUX_MEM_DEFAULT	(256ull << 20)
/* RAM below the PCI hole; the rest of a larger --mem goes above 4 GiB. */
#define LINUX_LOW_RAM_MAX	(3ull << 30)
/* getopt_long value of the long options without a short form. */
#define OPT_CPU_FEATURES	0x100
#define OPT_DISK		0x111
#define OPT_RNG			0x101
#define OPT_NET			0x110
#define OPT_VCONSOLE		0x112

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
	unsigned int ndisks;	/* --disk: virtio-blk on PCI */
	struct disk_opt disks[VMCTL_MAX_DISKS];
	bool features_set;	/* --cpu-features given */
	bool rng;		/* --rng: virtio-rng on PCI */
	struct net_opt nets[VMCTL_MAX_NETS];	/* --net */
	unsigned int nnets;
	struct vcons_opt vconsole;	/* --vconsole: virtio-console */
	struct cpu_features_req features;
	const char *device;
	const char *image;
	const char *kernel;	/* -k: boot Linux on a PC board */
	const char *initrd;
	const char *cmdline;
};

static void help(void)
{
	printf(
"Usage: vmctl start [OPTIONS] IMAGE\n"
"       vmctl start -k KERNEL [-i INITRD] [-p CMDLINE] [-m SIZE] [-c N]\n"
"                   [--cpu-features LIST] [--rng] [--disk PATH[,ro]]...\n"
"                   [--net tap=NAME[,mac=MAC]]... [--vconsole pty|log=PATH]\n"
"       vmctl list\n"
"       vmctl stat [--once] [--interval SECONDS]\n"
"       vmctl --help | --version\n"
"\n"
"Run IMAGE (a flat binary, or an ET_EXEC ELF file if it starts with the ELF\n"
"magic) on one vCPU under the svmhv hypervisor.  The guest's COM1 output is\n"
"vmctl's stdout; vmctl's own messages go to stderr, prefixed 'vmctl: '.\n"
"With -k, boot a Linux kernel (bzImage or ELF vmlinux) on a legacy PC\n"
"(8259 PICs, 8254 PIT, CMOS RTC, COM1 with input from stdin); a terminal\n"
"on stdin is put in raw mode, Ctrl-A x quits.  When svmhv has in-kernel\n"
"local APICs (SVMHV_CAP_LAPIC) the PC also has an I/O APIC, ACPI tables\n"
"and up to 64 vCPUs (--cpus), one thread each.\n"
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
"      --cpu-features LIST\n"
"                       hide CPU features from the guest: comma-separated\n"
"                       -name items (+name: keep, checks that svmhv offers\n"
"                       it), names as in /proc/cpuinfo (default: all that\n"
"                       svmhv offers).  Hiding one hides what is built on\n"
"                       it (-avx: avx2, fma, f16c, vaes, vpclmulqdq,\n"
"                       avx512*; -xsave: avx..., pku).  Needs svmhv's\n"
"                       CPUID tables (SVMHV_CAP_CPUID).  Names: sse3 (pni)\n"
"                       pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe\n"
"                       popcnt tsc_deadline_timer aes xsave avx f16c rdrand\n"
"                       fsgsbase bmi1 avx2 smep bmi2 erms avx512f avx512dq\n"
"                       rdseed adx smap avx512ifma clflushopt clwb avx512cd\n"
"                       sha_ni avx512bw avx512vl avx512vbmi umip pku\n"
"                       avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni\n"
"                       avx512_bitalg avx512_vpopcntdq rdpid lahf_lm abm\n"
"                       sse4a misalignsse 3dnowprefetch nx pdpe1gb rdtscp\n"
"      --rng            give the guest a virtio-rng (virtio 1.2 entropy\n"
"                       device on PCI, modern transport, MSI-X) fed from\n"
"                       the host's getrandom(); needs -k and svmhv's\n"
"                       in-kernel local APIC (the SMP PC)\n"
"      --disk PATH[,ro] give the guest a virtio-blk disk (virtio 1.2 block\n"
"                       device on PCI) backed by PATH, a raw image (size a\n"
"                       multiple of 512) or a block device; repeat for more\n"
"                       disks, /dev/vda, /dev/vdb, ... in order (at most\n"
"                       31 PCI devices with --rng).  ,ro: read-only (the\n"
"                       guest's writes fail, PATH is never written; a path\n"
"                       with a comma is written PATH,rw).  The image is\n"
"                       locked (flock: shared ro, else exclusive); a guest's\n"
"                       flush reaches the host's disk (fdatasync) before it\n"
"                       completes.  One queue per vCPU.  Needs -k and the\n"
"                       SMP PC, as --rng\n"
"      --net tap=NAME[,mac=MAC]\n"
"                       give the guest a virtio-net (virtio 1.2 network\n"
"                       device on PCI) on the host's tap NAME: attached if\n"
"                       it exists (ip tuntap add NAME mode tap), else\n"
"                       created for this run (CAP_NET_ADMIN); checksum and\n"
"                       TSO offloads when the tap has them; MAC as given,\n"
"                       else derived from /etc/machine-id and NAME\n"
"                       (locally administered, the same every run).  Up to\n"
"                       4; a tap that cannot be opened is status 1.  Needs\n"
"                       -k and the SMP PC, as --rng\n"
"      --vconsole pty|log=PATH\n"
"                       give the guest a virtio-console (virtio 1.2\n"
"                       console device on PCI; Linux's /dev/hvc0): pty\n"
"                       allocates a pseudo-terminal, named on stderr, for\n"
"                       its output and input; log=PATH appends its output\n"
"                       to PATH.  Needs -k and the SMP PC, as --rng\n"
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
"with status N).  Hypercalls (VMMCALL, docs/hypercalls.md): svmhv answers\n"
"0 (ABI version); vmctl serves 0x8000 (its features) and 0x8001 (console\n"
"write); others return -1000 (ENOSYS) in RAX.\n"
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
		{ "cpu-features", required_argument, NULL, OPT_CPU_FEATURES },
		{ "rng",	no_argument,	   NULL, OPT_RNG },
		{ "net",	required_argument, NULL, OPT_NET },
		{ "disk",	required_argument, NULL, OPT_DISK },
		{ "vconsole",	required_argument, NULL, OPT_VCONSOLE },
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
	char why[200];
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
		case OPT_CPU_FEATURES:
			if (cpu_features_parse(optarg, &cfg->features, why,
					       sizeof(why)) < 0)
				return usage_error("invalid --cpu-features"
						   " '%s': %s", optarg, why);
			cfg->features_set = true;
			break;
		case OPT_RNG:
			cfg->rng = true;
			break;
		case OPT_NET:
			if (cfg->nnets == VMCTL_MAX_NETS)
				return usage_error("at most %d --net options",
						   VMCTL_MAX_NETS);
			if (net_opt_parse(optarg, &cfg->nets[cfg->nnets], why,
					  sizeof(why)) < 0)
				return usage_error("invalid --net '%s': %s",
						   optarg, why);
			cfg->nnets++;
			break;
		case OPT_VCONSOLE:
			if (cfg->vconsole.kind != VCONS_NONE)
				return usage_error("at most one --vconsole");
			if (vcons_opt_parse(optarg, &cfg->vconsole, why,
					    sizeof(why)) < 0)
				return usage_error("invalid --vconsole '%s': %s",
						   optarg, why);
			break;
		case OPT_DISK:
			if (cfg->ndisks == VMCTL_MAX_DISKS)
				return usage_error("too many --disk: at most %d"
						   " (PCI bus 0)",
						   VMCTL_MAX_DISKS);
			e = parse_disk(optarg, &cfg->disks[cfg->ndisks]);
			if (e)
				return bad_value("--disk", optarg, e);
			cfg->ndisks++;
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
		if (cfg->ndisks + cfg->nnets + cfg->rng +
		    (cfg->vconsole.kind != VCONS_NONE) > VMCTL_MAX_PCI_DEVICES)
			return usage_error("%u --disk, %u --net, --rng and"
					   " --vconsole do not fit on PCI bus"
					   " 0: %d devices at most",
					   cfg->ndisks, cfg->nnets,
					   VMCTL_MAX_PCI_DEVICES);
		if (!cfg->mem_set)
			cfg->mem = LINUX_MEM_DEFAULT;
		if (!cfg->cmdline)
			cfg->cmdline = "";
		return -1;
	}
	if (cfg->initrd || cfg->cmdline)
		return usage_error("--initrd and --cmdline need --kernel");
	if (cfg->rng)
		return usage_error("--rng needs --kernel: devices are on the"
				   " Linux guest's PC");
	if (cfg->nnets)
		return usage_error("--net needs --kernel: devices are on the"
				   " Linux guest's PC");
	if (cfg->vconsole.kind != VCONS_NONE)
		return usage_error("--vconsole needs --kernel: devices are on"
				   " the Linux guest's PC");
	if (cfg->ndisks)
		return usage_error("--disk needs --kernel: devices are on the"
				   " Linux guest's PC");
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

/* An image guest: COM1 and the exit port, one vCPU on this thread. */
static int run_image(const struct config *cfg, struct vm *vm,
		     const struct guest_ram *ram)
{
	struct run_config rc = { .mem = cfg->mem, .ram = ram,
				 .verbose = cfg->verbose };
	struct uart8250 com1;
	struct io_device dev;
	struct io_bus bus;
	struct vcpu v = {
		.id = 0, .cpu = &vm->cpu[0], .bus = &bus, .cfg = &rc,
	};

	io_bus_init(&bus, cfg->strict_io);
	uart8250_init(&com1, console_put, NULL);
	dev = (struct io_device){
		.name = "com1", .base = COM1_BASE, .len = UART_NR_REGS,
		.opaque = &com1, .read = com1_read, .write = com1_write,
	};
	io_bus_register(&bus, &dev);
	exit_port_device(&dev);
	io_bus_register(&bus, &dev);
	return vcpu_run_image(&v);
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
 * svmhv modules without SVMHV_CAP_MMU_NOTIFIER pin guest RAM and charge it
 * to the caller's locked memory (RLIMIT_MEMLOCK): there ENOMEM usually
 * means that limit, so say so.  Newer ones pin nothing.
 */
static void ram_error(struct vm *vm, uint64_t bytes)
{
	int e = errno;
	bool pins = vm_check_cap(vm, SVMHV_CAP_MMU_NOTIFIER) != 1;

	msg("cannot give %" PRIu64 " bytes of RAM to the guest"
	    " (SVMHV_SET_MEMORY_REGION): %s%s", bytes, strerror(e),
	    e == ENOMEM && pins ? "; guest RAM counts as locked memory: raise"
	    " the locked-memory limit (ulimit -l, or LimitMEMLOCK= for a"
	    " systemd service) above the guest's RAM, or give vmctl"
	    " CAP_IPC_LOCK" : "");
}
/*
 * The vCPUs' CPUID tables: --cpu-features, and with @topology (the SMP
 * PC, whose MADT vmctl writes) the topology.  0 or the exit status.
 */
static int set_cpuid(const struct config *cfg, struct vm *vm, bool topology)
{
	struct cpuid_plan plan = {
		.topology = topology,
		.features_set = cfg->features_set,
		.features = cfg->features,
		.verbose = cfg->verbose,
	};

	return vcpu_cpuid_setup(vm, &plan);
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
	if (vm_open(&vm, cfg->device, err, sizeof(err)) < 0 ||
	    vm_add_cpu(&vm, err, sizeof(err)) < 0) {
		msg("%s", err);
		goto out_vm;
	}
	status = set_cpuid(cfg, &vm, false);
	if (status)
		goto out_vm;
	status = VMCTL_EXIT_HOST_ERROR;
	signal_run = vm.cpu[0].run;
	install_signal_handlers();
	if (vm_set_ram(&vm, mem, cfg->mem) < 0) {
		ram_error(&vm, cfg->mem);
		goto out_vm;
	}
	if (vm_get_sregs(&vm.cpu[0], &cur) < 0) {
		msg("SVMHV_GET_SREGS failed: %s", strerror(errno));
		goto out_vm;
	}
	/* vmctl does not choose the APIC base; keep the module's. */
	sregs.apic_base = cur.apic_base;
	if (vm_set_sregs(&vm.cpu[0], &sregs) < 0) {
		msg("SVMHV_SET_SREGS refused the %s-mode state: %s",
		    cpu_mode_name(cfg->mode), strerror(errno));
		goto out_vm;
	}
	if (vm_set_regs(&vm.cpu[0], &regs) < 0) {
		msg("SVMHV_SET_REGS failed: %s", strerror(errno));
		goto out_vm;
	}
	status = run_image(cfg, &vm, &ram);

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

/*
 * The SMP PC's ACPI tables in the BIOS area (which the e820 map reserves),
 * found by Linux's scan of 0xe0000-0xfffff and, from boot_params, through
 * acpi_rsdp_addr.
 */
static int linux_acpi_tables(const struct config *cfg,
			     const struct guest_ram *ram)
{
	struct acpi_layout l;
	struct acpi_board b;

	pc_board_acpi(&b, cfg->cpus);
	if (acpi_build(&b, ram->mem + ACPI_TABLES_BASE, ACPI_TABLES_BASE,
		       ACPI_TABLES_SIZE, &l) < 0) {
		msg("internal error: the ACPI tables for %u vCPUs do not fit"
		    " in the BIOS area", cfg->cpus);
		return -1;
	}
	linux_set_rsdp(ram, l.rsdp);
	if (cfg->verbose)
		msg("ACPI: RSDP 0x%" PRIx64 ", XSDT 0x%" PRIx64 ", FADT 0x%"
		    PRIx64 ", DSDT 0x%" PRIx64 ", MADT 0x%" PRIx64 " (%u"
		    " CPUs), %u bytes", l.rsdp, l.xsdt, l.fadt, l.dsdt, l.madt,
		    cfg->cpus, l.used);
	return 0;
}

static int cmd_start_linux(const struct config *cfg)
{
	uint64_t low = cfg->mem < LINUX_LOW_RAM_MAX ? cfg->mem
						    : LINUX_LOW_RAM_MAX;
	uint64_t high = cfg->mem - low;
	struct run_config rc = { .mem = cfg->mem, .verbose = cfg->verbose,
				 .rng = cfg->rng, .disks = cfg->disks,
				 .ndisks = cfg->ndisks };
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
	unsigned int i;
	bool lapic;
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
	rc.ram = &ram;
	rc.nets = cfg->nets;
	rc.nnets = cfg->nnets;
	rc.vconsole = &cfg->vconsole;
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
	lapic = vm_check_cap(&vm, SVMHV_CAP_LAPIC) == 1;
	if (cfg->rng && !lapic) {
		msg("--rng: this svmhv module has no in-kernel local APIC"
		    " (SVMHV_CAP_LAPIC), and PCI devices are on the SMP PC"
		    " only");
		goto out;
	}
	if (cfg->nnets && !lapic) {
		msg("--net: this svmhv module has no in-kernel local APIC"
		    " (SVMHV_CAP_LAPIC), and PCI devices are on the SMP PC"
		    " only");
		goto out;
	}
	if (cfg->vconsole.kind != VCONS_NONE && !lapic) {
		msg("--vconsole: this svmhv module has no in-kernel local APIC"
		    " (SVMHV_CAP_LAPIC), and PCI devices are on the SMP PC"
		    " only");
		goto out;
	}
	if (cfg->ndisks && !lapic) {
		msg("--disk: this svmhv module has no in-kernel local APIC"
		    " (SVMHV_CAP_LAPIC), and PCI devices are on the SMP PC"
		    " only");
		goto out;
	}
	if (cfg->cpus > 1 && !lapic) {
		msg("--cpus %u: this svmhv module has no in-kernel local APIC"
		    " (SVMHV_CAP_LAPIC), so it runs one vCPU only", cfg->cpus);
		goto out;
	}
	if (lapic && linux_acpi_tables(cfg, &ram) < 0)
		goto out;
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
		    " 0x%" PRIx64 " at 4G, %u vCPU%s, %s, cmdline \"%s\"",
		    boot.elf ? "vmlinux" : "bzImage", boot.kernel_addr,
		    boot.kernel_end, boot.entry, boot.protocol >> 8,
		    boot.protocol & 0xff, boot.initrd_size, boot.initrd_addr,
		    low, high, cfg->cpus, cfg->cpus > 1 ? "s" : "",
		    lapic ? "in-kernel local APICs, I/O APIC, ACPI" :
		    "legacy PC (8259 only, no ACPI)", cmdline);
	/*
	 * With in-kernel APICs they exist before the vCPUs; vCPU 0 is the
	 * bootstrap processor, the others wait for the guest's INIT-SIPI.
	 */
	if (lapic && vm_enable_lapic(&vm) < 0) {
		msg("SVMHV_ENABLE_LAPIC failed: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < cfg->cpus; i++) {
		if (vm_add_cpu(&vm, err, sizeof(err)) < 0) {
			msg("%s", err);
			goto out;
		}
	}
	status = set_cpuid(cfg, &vm, lapic);
	if (status)
		goto out;
	status = VMCTL_EXIT_HOST_ERROR;
	signal_run = vm.cpu[0].run;
	install_signal_handlers();
	if (vm_set_slot(&vm, 0, 0, mem, low) < 0 ||
	    (high && vm_set_slot(&vm, 1, LINUX_HIGH_RAM, (uint8_t *)mem + low,
				 high) < 0)) {
		ram_error(&vm, cfg->mem);
		goto out;
	}
	if (vm_get_sregs(&vm.cpu[0], &sregs) < 0) {
		msg("SVMHV_GET_SREGS failed: %s", strerror(errno));
		goto out;
	}
	/* linux_boot_cpu() keeps the module's APIC base from @sregs. */
	linux_boot_cpu(&boot, &regs, &sregs);
	if (vm_set_sregs(&vm.cpu[0], &sregs) < 0) {
		msg("SVMHV_SET_SREGS refused the 64-bit boot state: %s",
		    strerror(errno));
		goto out;
	}
	if (vm_set_regs(&vm.cpu[0], &regs) < 0) {
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
	if (machine_init(m, &vm, &rc, lapic) == 0)
		status = machine_run(m);

out:
	signal_run = NULL;
	if (m) {
		machine_destroy(m);
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
