// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux guest's PC at run time (see machine.h for threads and
 * locking).  Time: a POSIX timer on CLOCK_MONOTONIC is set for the next
 * PIT interrupt (and, while stdin is open, every 10 ms to look at it);
 * its SIGALRM pulls vCPU 0 out of SVMHV_RUN.  Before each of vCPU 0's
 * RUNs the board is brought up to date: PIT ticks fire (into the 8259 and
 * the I/O APIC, whose MSIs go to the in-kernel APICs at once), stdin
 * feeds COM1, and the 8259's interrupt is injected when vCPU 0 can take
 * it, else an interrupt window is requested (the userspace-irqchip rule).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "dev_exit_port.h"
#include "exit_status.h"
#include "loader.h"
#include "machine.h"
#include "msg.h"
#include "signals.h"
#include "virtio/blk.h"
#include "virtio/net.h"
#include "virtio/console.h"
#include "virtio/rng.h"

#define NS_PER_S	1000000000ull
/* How often stdin is looked at while the guest runs. */
#define INPUT_POLL_NS	(10ull * 1000 * 1000)

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

void machine_lock(struct machine *m)
{
	pthread_mutex_lock(&m->lock);
}

void machine_unlock(struct machine *m)
{
	pthread_mutex_unlock(&m->lock);
}

bool machine_stopping(struct machine *m)
{
	return __atomic_load_n(&m->stopping, __ATOMIC_SEQ_CST);
}

void machine_stop(struct machine *m, const struct vm_stop *stop)
{
	unsigned int i;

	machine_lock(m);
	if (stop->stop && !m->stop.stop)
		m->stop = *stop;
	machine_unlock(m);
	__atomic_store_n(&m->stopping, true, __ATOMIC_SEQ_CST);
	for (i = 0; i < m->ncpus; i++)
		vcpu_kick(&m->vcpu[i]);
}

/* The I/O APIC's output (lock held): to the in-kernel local APICs. */
static void machine_msi(void *opaque, uint64_t address, uint32_t data)
{
	struct machine *m = opaque;

	if (vm_signal_msi(m->vm, address, data) >= 0 || m->warned_msi)
		return;
	m->warned_msi = true;
	msg("SVMHV_SIGNAL_MSI of address 0x%" PRIx64 " data 0x%x failed: %s"
	    " (said once)", address, data, strerror(errno));
}

/* The ACPI PM timer's clock. */
static uint64_t machine_clock(void *opaque)
{
	struct machine *m = opaque;

	return mono_ns() - m->t0_ns;
}

/*
 * The I/O APIC and PCI BARs answer through the board.  A Linux guest
 * touching guest-physical memory with nothing behind it (a probe of a
 * device this PC does not have) gets what a PC's empty bus gives:
 * all-ones on reads, writes dropped; said once on stderr.
 */
void machine_mmio(struct machine *m, struct svmhv_run *run)
{
	unsigned int len = run->mmio.len;

	if (len > sizeof(run->mmio.data))
		len = sizeof(run->mmio.data);
	if (pc_board_mmio(&m->board, run->mmio.phys_addr, run->mmio.is_write,
			  run->mmio.data, len))
		return;
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

/*
 * Move bytes waiting on stdin into COM1 as far as its receiver has room,
 * once the guest's driver listens (received-data interrupt enabled and
 * connected).  Earlier bytes would only be thrown away: Linux clears the
 * receive FIFO when it starts the port, and nobody reads the port before.
 */
static void feed_uart(struct machine *m)
{
	struct uart8250 *u = &m->board.com1;

	if (!uart8250_rx_irq_armed(u))
		return;
	while (console_in_pending(&m->in) && uart8250_rx_room(u)) {
		uart8250_receive(u, console_in_peek(&m->in));
		console_in_pop(&m->in);
	}
}

/* Bring the board up to date: time, input, interrupt lines (lock held). */
static void service(struct machine *m, struct vm_stop *stop)
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
	feed_uart(m);
	pc_board_sync_irqs(&m->board);
	if (m->in.quit)
		stop_with(stop, 0, "quit (Ctrl-A x)");
}

/* Set the timer to the earliest moment a device needs the run loop. */
static void arm_timer(struct machine *m)
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
 * The userspace-irqchip rule for the 8259 (vCPU 0): inject when the guest
 * can take an interrupt now and none is queued in the module, else ask
 * the module to come back (SVMHV_EXIT_IRQ_WINDOW_OPEN) as soon as it can.
 * The PIC is acknowledged only at injection, so priorities and masks the
 * guest changes meanwhile are honoured.
 */
static void deliver(struct machine *m, struct vcpu *v, struct vm_stop *stop)
{
	struct svmhv_run *run = v->cpu->run;
	uint8_t vector;

	if (!pc_board_has_interrupt(&m->board)) {
		run->request_interrupt_window = 0;
		return;
	}
	if (!run->ready_for_interrupt || run->irq_queued) {
		if (!run->request_interrupt_window)
			m->windows++;
		run->request_interrupt_window = 1;
		return;
	}
	m->injected++;
	vector = pc_board_ack(&m->board);
	run->request_interrupt_window = 0;
	if (vm_inject_irq(v->cpu, vector) < 0)
		stop_with(stop, VMCTL_EXIT_HOST_ERROR, "SVMHV_INJECT_EVENT of"
			  " vector 0x%x failed: %s", vector, strerror(errno));
}

void machine_before_run(struct machine *m, struct vcpu *v,
			struct vm_stop *stop)
{
	machine_lock(m);
	service(m, stop);
	if (!stop->stop)
		deliver(m, v, stop);
	arm_timer(m);
	machine_unlock(m);
}

/*
 * HLT with interrupts enabled, no in-kernel APIC (one vCPU, on the main
 * thread): sleep until a device has an interrupt for the guest, input
 * arrives, or a signal.  Signals are blocked between the last check and
 * ppoll(), which unblocks them atomically, so a SIGINT or timer expiry
 * in that window is not slept through.  Status 81 when nothing could
 * ever wake the guest (no timer running, no input that would interrupt,
 * no terminal to type Ctrl-A x on).
 */
void machine_wait_for_interrupt(struct machine *m, struct vm_stop *stop)
{
	const struct svmhv_run *run = m->vcpu[0].cpu->run;
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
		bool timer, input, reader, irq;
		uint64_t now;

		machine_lock(m);
		m->next_poll_ns = 0;	/* look at stdin now */
		service(m, stop);
		irq = pc_board_has_interrupt(&m->board);
		timer = pc_board_timer_can_interrupt(&m->board);
		reader = console_in_wants_read(&m->in);
		input = reader && pc_board_input_can_interrupt(&m->board);
		if (timer)
			timer = pc_board_next_timer(&m->board, &when);
		machine_unlock(m);
		if (stop_signal || stop->stop || irq)
			break;
		if (!timer && !input && !(reader && m->in.tty)) {
			stop_with(stop, VMCTL_EXIT_HLT_IF1, "guest halted with"
				  " interrupts enabled and nothing can wake"
				  " it (rip 0x%" PRIx64 ")", run->rip);
			break;
		}
		now = mono_ns();
		if (timer) {
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

void machine_report(struct machine *m, const struct svmhv_run *run)
{
	const struct i8259_chip *pm = &m->board.pic.chip[0];
	const struct i8254_channel *c0 = &m->board.pit.ch[0];

	machine_lock(m);
	msg("guest state at the stop: last exit %u at rip 0x%" PRIx64 ", IF %u,"
	    " ready %u, irq queued %u, window %u; %" PRIu64 " interrupts"
	    " injected, %" PRIu64 " windows; PIC irr 0x%02x isr 0x%02x imr"
	    " 0x%02x; PIT mode %u count %u next irq %s%s", run->exit_reason,
	    run->rip, run->if_flag, run->ready_for_interrupt, run->irq_queued,
	    run->request_interrupt_window, m->injected, m->windows, pm->irr,
	    pm->isr, pm->imr, c0->mode, c0->count,
	    c0->next_irq == UINT64_MAX ? "none" : "armed",
	    m->lapic ? "; see SVMHV_GET_LAPIC for the APICs" : "");
	if (m->lapic)
		msg("I/O APIC: %" PRIu64 " messages sent, pin 2 0x%016" PRIx64
		    ", pin 4 0x%016" PRIx64, m->board.ioapic.sent,
		    m->board.ioapic.rte[2], m->board.ioapic.rte[4]);
	machine_unlock(m);
}

/* ---- What the virtio transport needs from the machine ---- */

static int host_signal_msi(void *opaque, uint64_t address, uint32_t data)
{
	struct machine *m = opaque;

	return vm_signal_msi(m->vm, address, data);
}

static int host_ioeventfd(void *opaque, uint64_t addr, unsigned int len,
			  int fd, bool assign)
{
	struct machine *m = opaque;

	return vm_ioeventfd(m->vm, addr, len, fd, assign);
}

static int host_irqfd(void *opaque, int fd, uint64_t address, uint32_t data,
		      bool assign)
{
	struct machine *m = opaque;

	return vm_irqfd(m->vm, fd, address, data, assign);
}

/* A device thread moved an INTx line: into the I/O APIC. */
static void host_intx_changed(void *opaque)
{
	struct machine *m = opaque;

	machine_lock(m);
	pc_board_sync_irqs(&m->board);
	machine_unlock(m);
}

static void host_log(void *opaque, const char *text)
{
	(void)opaque;
	msg("%s", text);
}

/*
 * @dev behind the virtio-pci function @vp, plugged into the SMP PC's PCI
 * bus 0 and its device thread started.  Doorbells are ioeventfds and
 * interrupts irqfds when svmhv has them (capabilities 22 and 23);
 * otherwise the MMIO exit kicks the device thread and the thread issues
 * SVMHV_SIGNAL_MSI.  *@made is set once @vp needs virtio_pci_destroy().
 * The slot, or -1 with a message naming @what.
 */
static int plug_virtio(struct machine *m, struct virtio_pci *vp,
		       const struct virtio_device *dev, const char *what,
		       bool *made)
{
	struct virtio_host host = {
		.opaque = m, .mem = &m->mem,
		.signal_msi = host_signal_msi,
		.intx_changed = host_intx_changed,
		.log = host_log,
	};
	int slot;

	if (vm_check_cap(m->vm, SVMHV_CAP_IOEVENTFD) > 0)
		host.ioeventfd = host_ioeventfd;
	if (vm_check_cap(m->vm, SVMHV_CAP_IRQFD) > 0)
		host.irqfd = host_irqfd;
	*made = true;
	if (virtio_pci_init(vp, dev, &host) < 0) {
		msg("cannot set up %s: %s", what, strerror(errno));
		return -1;
	}
	slot = pc_board_add_pci(&m->board, &vp->pci);
	if (slot < 0) {
		msg("%s: no free slot on PCI bus 0 (%d devices at most)", what,
		    VMCTL_MAX_PCI_DEVICES);
		return -1;
	}
	if (virtio_pci_start(vp) < 0) {
		msg("cannot start the %s thread: %s", what, strerror(errno));
		return -1;
	}
	if (m->vcpu[0].cfg->verbose)
		msg("%s: PCI 00:%02x.0, BAR0 0x%" PRIx64 ", GSI %u, %s"
		    " doorbells, %s interrupts", what, slot,
		    pci_dev_bar_addr(&vp->pci, VIRTIO_PCI_BAR), vp->pci.gsi,
		    host.ioeventfd ? "ioeventfd" : "MMIO-exit",
		    host.irqfd ? "irqfd" : "SIGNAL_MSI");
	return slot;
}

/* --rng: a virtio-rng function (virtio/rng.h). */
static int add_rng(struct machine *m)
{
	struct virtio_device dev;
	bool made;

	virtio_rng_device(&dev);
	m->rng = calloc(1, sizeof(*m->rng));
	if (!m->rng) {
		msg("cannot set up virtio-rng: out of memory");
		return -1;
	}
	/* machine_destroy() takes it down, whatever happened here. */
	return plug_virtio(m, m->rng, &dev, "virtio-rng", &made) < 0 ? -1 : 0;
}

/*
 * --net tap=NAME[,mac=MAC]: a virtio-net function on the SMP PC's PCI bus
 * on the host tap NAME (virtio/net.h).  Transmit runs on the transport's
 * device thread, receive on the device's own; neither is a vCPU's.
 */
struct machine_net {
	struct virtio_pci vp;
	struct vnet net;
	bool net_made, vp_made;
};

/*
 * Without mac=, the MAC comes from the host's /etc/machine-id and the tap
 * name (vnet_mac_from_name()): the same guest on the same tap keeps its
 * address from run to run, and guests on two hosts sharing a bridge get
 * different ones.
 */
static void net_default_mac(const char *tap, uint8_t mac[6])
{
	char id[64] = "";
	FILE *f = fopen("/etc/machine-id", "re");

	if (f) {
		if (!fgets(id, sizeof(id), f))
			id[0] = 0;
		fclose(f);
	}
	id[strcspn(id, "\n")] = 0;
	vnet_mac_from_name(id, tap, mac);
}

static int add_net(struct machine *m, const struct net_opt *o)
{
	struct virtio_device dev;
	struct machine_net *mn;
	char err[300];
	uint8_t mac[6];
	bool offloads;
	int fd;

	fd = vnet_tap_open("/dev/net/tun", o->tap, &offloads, err, sizeof(err));
	if (fd < 0) {
		msg("--net tap=%s: %s", o->tap, err);
		return -1;
	}
	if (o->mac_set)
		memcpy(mac, o->mac, 6);
	else
		net_default_mac(o->tap, mac);
	mn = calloc(1, sizeof(*mn));
	if (!mn) {
		close(fd);
		msg("--net tap=%s: out of memory", o->tap);
		return -1;
	}
	m->net[m->nnets++] = mn;
	mn->net_made = true;
	if (vnet_init(&mn->net, fd, true, offloads, mac) < 0) {
		msg("cannot set up virtio-net: %s", strerror(errno));
		return -1;
	}
	vnet_device(&mn->net, &dev);
	if (plug_virtio(m, &mn->vp, &dev, "virtio-net", &mn->vp_made) < 0)
		return -1;
	if (vnet_start(&mn->net) < 0) {
		msg("cannot start the virtio-net receive thread: %s",
		    strerror(errno));
		return -1;
	}
	if (m->vcpu[0].cfg->verbose)
		msg("virtio-net: tap %s, MAC %02x:%02x:%02x:%02x:%02x:%02x%s,"
		    " offloads %s", o->tap, mac[0], mac[1], mac[2], mac[3],
		    mac[4], mac[5], o->mac_set ? "" : " (generated)",
		    offloads ? "CSUM/TSO4/TSO6 both ways" : "none");
	return 0;
}

static void destroy_net(struct machine *m)
{
	struct machine_net *mn;
	unsigned int i;

	for (i = 0; i < m->nnets; i++) {
		mn = m->net[i];
		if (mn->vp_made)
			virtio_pci_stop(&mn->vp);
		if (mn->net_made) {
			if (m->vcpu[0].cfg && m->vcpu[0].cfg->verbose)
				msg("virtio-net %u: %" PRIu64 " frames received"
				    " (%" PRIu64 " dropped), %" PRIu64 " sent"
				    " (%" PRIu64 " dropped)", i,
				    mn->net.rx_packets, mn->net.rx_dropped,
				    mn->net.tx_packets, mn->net.tx_dropped);
			vnet_close(&mn->net);
		}
		if (mn->vp_made)
			virtio_pci_destroy(&mn->vp);
		free(mn);
		m->net[i] = NULL;
	}
	m->nnets = 0;
}

/*
 * --vconsole: a virtio-console function on the SMP PC's PCI bus
 * (virtio/console.h), its port on a pseudo-terminal or a log file.
 * Output runs on the transport's device thread, input on the device's
 * own; neither is a vCPU's.
 */
struct machine_vcons {
	struct virtio_pci vp;
	struct vcons cons;
	bool cons_made, vp_made;
};

static int add_vconsole(struct machine *m, const struct vcons_opt *o)
{
	struct virtio_device dev;
	struct machine_vcons *mc;
	char name[256], err[300];
	int fd, hold;

	fd = vcons_open(o, name, sizeof(name), &hold, err, sizeof(err));
	if (fd < 0) {
		msg("--vconsole: %s", err);
		return -1;
	}
	mc = calloc(1, sizeof(*mc));
	if (!mc) {
		close(fd);
		if (hold >= 0)
			close(hold);
		msg("--vconsole: out of memory");
		return -1;
	}
	m->vcons = mc;
	mc->cons_made = true;
	if (vcons_init(&mc->cons, fd, hold, o->kind == VCONS_PTY) < 0) {
		msg("cannot set up virtio-console: %s", strerror(errno));
		return -1;
	}
	vcons_device(&mc->cons, &dev);
	if (plug_virtio(m, &mc->vp, &dev, "virtio-console", &mc->vp_made) < 0)
		return -1;
	if (vcons_start(&mc->cons) < 0) {
		msg("cannot start the virtio-console input thread: %s",
		    strerror(errno));
		return -1;
	}
	/* Where to find it: the pty's name is new on every run. */
	msg("virtio console (hvc0) on %s%s", name,
	    o->kind == VCONS_LOG ? " (output only)" : "");
	return 0;
}

static void destroy_vconsole(struct machine *m)
{
	struct machine_vcons *mc = m->vcons;

	if (!mc)
		return;
	if (mc->vp_made)
		virtio_pci_stop(&mc->vp);
	if (mc->cons_made) {
		if (m->vcpu[0].cfg && m->vcpu[0].cfg->verbose)
			msg("virtio-console: %" PRIu64 " bytes in, %" PRIu64
			    " out (%" PRIu64 " dropped)", mc->cons.rx_bytes,
			    mc->cons.tx_bytes, mc->cons.tx_dropped);
		vcons_close(&mc->cons);
	}
	if (mc->vp_made)
		virtio_pci_destroy(&mc->vp);
	free(mc);
	m->vcons = NULL;
}

/* ---- --disk: virtio-blk functions (virtio/blk.h) ---- */

/* Descriptors per queue: a chain without indirect descriptors holds the
 * header, VBLK_SEG_MAX data buffers and the status. */
#define DISK_QUEUE_SIZE	256
_Static_assert(DISK_QUEUE_SIZE >= VBLK_SEG_MAX + 2,
	       "virtio-blk queues too small for seg_max");

static void disk_get_config(void *opaque, uint8_t *cfg, size_t len)
{
	vblk_config(opaque, cfg, len);
}

static void disk_submit(void *opaque, unsigned int queue,
			struct virtio_req *req)
{
	vblk_submit(opaque, queue, req);
}

/*
 * One --disk: open and lock the image first, so that a missing, locked or
 * odd-sized image is reported before anything else, then one virtio-blk
 * function on the PCI bus with a request queue per vCPU (VIRTIO_BLK_F_MQ;
 * Linux's virtio_blk maps one to each CPU).
 */
static int add_disk(struct machine *m, const struct disk_opt *opt)
{
	struct machine_disk *d = &m->disk[m->ndisks];
	unsigned int nq = m->ncpus < VIRTIO_PCI_MAX_QUEUES ?
			  m->ncpus : VIRTIO_PCI_MAX_QUEUES;
	struct virtio_device dev;
	char err[512];
	bool made;

	d->vb = vblk_open(opt->path, opt->readonly, err, sizeof(err));
	if (!d->vb) {
		msg("--disk %s", err);
		return -1;
	}
	m->ndisks++;
	if (vblk_set_num_queues(d->vb, nq) < 0) {
		msg("internal error: virtio-blk cannot have %u queues", nq);
		return -1;
	}
	dev = (struct virtio_device){
		.name = "virtio-blk",
		.device_id = VIRTIO_ID_BLOCK,
		.features = vblk_features(d->vb),
		.num_queues = nq,
		.queue_size = DISK_QUEUE_SIZE,
		.config_size = vblk_config_size(),
		.opaque = d->vb,
		.get_config = disk_get_config,
		.submit = disk_submit,
	};
	d->vp = calloc(1, sizeof(*d->vp));
	if (!d->vp) {
		msg("cannot set up virtio-blk for %s: out of memory", opt->path);
		return -1;
	}
	/* remove_disks() takes it down, whatever happened here. */
	if (plug_virtio(m, d->vp, &dev, "virtio-blk", &made) < 0)
		return -1;
	if (m->vcpu[0].cfg->verbose)
		msg("virtio-blk: %s%s, %u queue%s", opt->path,
		    opt->readonly ? " (ro)" : "", nq, nq > 1 ? "s" : "");
	return 0;
}

static int add_disks(struct machine *m, const struct run_config *cfg)
{
	unsigned int i;

	if (!m->lapic) {
		msg("--disk needs svmhv's in-kernel local APIC"
		    " (SVMHV_CAP_LAPIC): PCI devices are on the SMP PC only");
		return -1;
	}
	for (i = 0; i < cfg->ndisks; i++)
		if (add_disk(m, &cfg->disks[i]) < 0)
			return -1;
	return 0;
}

/*
 * Requests may still be with the disk's worker threads: stop the device
 * thread (no new ones), let vblk_close() finish them (their completions
 * still reach guest RAM and the VM, both alive until main.c's teardown),
 * then free the function.
 */
static void remove_disks(struct machine *m)
{
	unsigned int i;

	for (i = 0; i < m->ndisks; i++) {
		struct machine_disk *d = &m->disk[i];

		if (d->vp)
			virtio_pci_stop(d->vp);
		vblk_close(d->vb);
		if (d->vp) {
			virtio_pci_destroy(d->vp);
			free(d->vp);
		}
		*d = (struct machine_disk){ 0 };
	}
	m->ndisks = 0;
}

int machine_init(struct machine *m, struct vm *vm, const struct run_config *cfg,
		 bool lapic)
{
	struct sigevent sev = { 0 };
	struct io_device dev;
	unsigned int i;

	pthread_mutex_init(&m->lock, NULL);
	m->vm = vm;
	m->lapic = lapic;
	m->ncpus = vm->ncpus;
	for (i = 0; i < m->ncpus; i++)
		m->vcpu[i] = (struct vcpu){
			.id = i, .cpu = &vm->cpu[i], .m = m, .cfg = cfg,
		};
	io_bus_init(&m->bus, false);
	exit_port_device(&dev);
	if (pc_board_init(&m->board, &m->bus, console_put, NULL) < 0 ||
	    io_bus_register(&m->bus, &dev) < 0 ||
	    (lapic && pc_board_enable_apic(&m->board, &m->bus, m->ncpus,
					   machine_msi, m, machine_clock,
					   m) < 0)) {
		msg("internal error: the board's ports do not fit the bus");
		return -1;
	}
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGALRM;
	if (timer_create(CLOCK_MONOTONIC, &sev, &m->timer) < 0) {
		msg("cannot create the device timer: %s", strerror(errno));
		return -1;
	}
	m->timer_made = true;
	if (console_in_open(&m->in, STDIN_FILENO) < 0) {
		msg("cannot put the terminal on stdin in raw mode: %s",
		    strerror(errno));
		return -1;
	}
	m->t0_ns = mono_ns();
	/*
	 * The PM timer is the port a Linux guest reads most (its TSC
	 * calibration, the clocksource watchdog): served by the module when
	 * it can, as the same CLOCK_MONOTONIC counter machine_clock() gives
	 * the board's model, which keeps the rest of the PM1 block.
	 */
	if (lapic && vm_check_cap(vm, SVMHV_CAP_PM_TIMER) == 1 &&
	    vm_set_pm_timer(vm, ACPI_PM_BASE + ACPI_PM_TMR,
			    acpi_pm_timer_at(machine_clock(m))) < 0) {
		msg("SVMHV_SET_PM_TIMER failed: %s", strerror(errno));
		return -1;
	}
	/* Guest RAM as main.c maps it: the low part at 0, the rest at 4 GiB
	 * right after it in the same host mapping. */
	m->mem = (struct guest_mem){
		.host = cfg->ram->mem, .low = cfg->ram->size,
		.high = cfg->mem - cfg->ram->size,
	};
	if (cfg->rng && (!lapic || add_rng(m) < 0)) {
		if (!lapic)
			msg("--rng needs svmhv's in-kernel local APIC"
			    " (SVMHV_CAP_LAPIC): PCI devices are on the SMP PC"
			    " only");
		return -1;
	}
	for (i = 0; i < cfg->nnets; i++) {
		if (!lapic) {
			msg("--net needs svmhv's in-kernel local APIC"
			    " (SVMHV_CAP_LAPIC): PCI devices are on the SMP PC"
			    " only");
			return -1;
		}
		if (add_net(m, &cfg->nets[i]) < 0)
			return -1;
	}
	if (cfg->ndisks && add_disks(m, cfg) < 0)
		return -1;
	if (cfg->vconsole && cfg->vconsole->kind != VCONS_NONE) {
		if (!lapic) {
			msg("--vconsole needs svmhv's in-kernel local APIC"
			    " (SVMHV_CAP_LAPIC): PCI devices are on the SMP PC"
			    " only");
			return -1;
		}
		if (add_vconsole(m, cfg->vconsole) < 0)
			return -1;
	}
	return 0;
}

int machine_run(struct machine *m)
{
	struct vcpu *v0 = &m->vcpu[0];
	sigset_t old;
	unsigned int i;
	int e;

	v0->thread = pthread_self();
	__atomic_store_n(&v0->started, true, __ATOMIC_SEQ_CST);
	/* The other vCPU threads start with the main thread's signals
	 * blocked: SIGALRM and the stop signals go to vCPU 0. */
	block_main_signals(&old);
	for (i = 1; i < m->ncpus; i++) {
		struct vcpu *v = &m->vcpu[i];

		e = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (e) {
			struct vm_stop stop = { 0 };

			stop_with(&stop, VMCTL_EXIT_HOST_ERROR, "cannot start"
				  " the thread of vCPU %u: %s", i, strerror(e));
			machine_stop(m, &stop);
			break;
		}
		__atomic_store_n(&v->started, true, __ATOMIC_SEQ_CST);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!machine_stopping(m))
		vcpu_run_machine(v0);
	for (i = 1; i < m->ncpus; i++)
		if (__atomic_load_n(&m->vcpu[i].started, __ATOMIC_SEQ_CST))
			pthread_join(m->vcpu[i].thread, NULL);
	console_flush();
	if (stop_signal)
		return -1;
	if (!m->stop.quiet || m->vcpu[0].cfg->verbose)
		msg("%s", m->stop.reason);
	return m->stop.status;
}

void machine_destroy(struct machine *m)
{
	destroy_vconsole(m);
	remove_disks(m);
	destroy_net(m);
	if (m->rng) {
		virtio_pci_destroy(m->rng);
		free(m->rng);
		m->rng = NULL;
	}
	if (m->timer_made)
		timer_delete(m->timer);
	m->timer_made = false;
	pthread_mutex_destroy(&m->lock);
}
