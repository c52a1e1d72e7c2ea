// SPDX-License-Identifier: GPL-2.0
/*
 * PC board wiring: port ranges to device models, device outputs to
 * interrupt lines (IRQ 0 PIT channel 0, IRQ 4 COM1, IRQ 9 the ACPI SCI),
 * each line to its 8259 input and, on the SMP PC, to its I/O APIC pin;
 * reset and power-off requests to the vm_stop of the access.  The i8042
 * status and data ports are separate ranges because 0x61 (the PIT's port
 * B) sits between them.
 */
#include <stdio.h>

#include "pc_board.h"

static void reset_stop(struct vm_stop *stop, const char *how)
{
	stop->stop = true;
	stop->quiet = false;
	stop->status = 0;
	snprintf(stop->reason, sizeof(stop->reason), "guest rebooted (%s)",
		 how);
}

static uint8_t com1_read(void *opaque, uint16_t off)
{
	struct pc_board *b = opaque;
	uint8_t v = uart8250_read(&b->com1, off);

	pc_board_sync_irqs(b);
	return v;
}

static void com1_write(void *opaque, uint16_t off, uint8_t val,
		       struct vm_stop *stop)
{
	struct pc_board *b = opaque;

	(void)stop;
	uart8250_write(&b->com1, off, val);
	pc_board_sync_irqs(b);
}

static uint8_t pic_master_read(void *opaque, uint16_t off)
{
	return i8259_read(&((struct pc_board *)opaque)->pic, 0, off);
}

static void pic_master_write(void *opaque, uint16_t off, uint8_t val,
			     struct vm_stop *stop)
{
	(void)stop;
	i8259_write(&((struct pc_board *)opaque)->pic, 0, off, val);
}

static uint8_t pic_slave_read(void *opaque, uint16_t off)
{
	return i8259_read(&((struct pc_board *)opaque)->pic, 1, off);
}

static void pic_slave_write(void *opaque, uint16_t off, uint8_t val,
			    struct vm_stop *stop)
{
	(void)stop;
	i8259_write(&((struct pc_board *)opaque)->pic, 1, off, val);
}

static uint8_t elcr_read(void *opaque, uint16_t off)
{
	return i8259_elcr_read(&((struct pc_board *)opaque)->pic, off);
}

static void elcr_write(void *opaque, uint16_t off, uint8_t val,
		       struct vm_stop *stop)
{
	(void)stop;
	i8259_elcr_write(&((struct pc_board *)opaque)->pic, off, val);
}

static uint8_t pit_read(void *opaque, uint16_t off)
{
	struct pc_board *b = opaque;

	return i8254_read(&b->pit, off, b->now);
}

static void pit_write(void *opaque, uint16_t off, uint8_t val,
		      struct vm_stop *stop)
{
	struct pc_board *b = opaque;

	(void)stop;
	i8254_write(&b->pit, off, val, b->now);
}

static uint8_t port61_read(void *opaque, uint16_t off)
{
	struct pc_board *b = opaque;

	(void)off;
	return i8254_port61_read(&b->pit, b->now);
}

static void port61_write(void *opaque, uint16_t off, uint8_t val,
			 struct vm_stop *stop)
{
	struct pc_board *b = opaque;

	(void)off;
	(void)stop;
	i8254_port61_write(&b->pit, val, b->now);
}

static uint8_t cmos_port_read(void *opaque, uint16_t off)
{
	struct pc_board *b = opaque;

	return cmos_read(&b->cmos, off, b->wall);
}

static void cmos_port_write(void *opaque, uint16_t off, uint8_t val,
			    struct vm_stop *stop)
{
	struct pc_board *b = opaque;

	(void)stop;
	cmos_write(&b->cmos, off, val, b->wall);
}

static uint8_t kbc_data_read(void *opaque, uint16_t off)
{
	(void)off;
	return i8042_read(&((struct pc_board *)opaque)->kbc, false);
}

static void kbc_data_write(void *opaque, uint16_t off, uint8_t val,
			   struct vm_stop *stop)
{
	(void)off;
	if (i8042_write(&((struct pc_board *)opaque)->kbc, false, val))
		reset_stop(stop, "i8042 output port");
}

static uint8_t kbc_cmd_read(void *opaque, uint16_t off)
{
	(void)off;
	return i8042_read(&((struct pc_board *)opaque)->kbc, true);
}

static void kbc_cmd_write(void *opaque, uint16_t off, uint8_t val,
			  struct vm_stop *stop)
{
	(void)off;
	if (i8042_write(&((struct pc_board *)opaque)->kbc, true, val))
		reset_stop(stop, "i8042 reset command 0xfe");
}

static uint32_t pci_read_wide(void *opaque, uint16_t off, unsigned int size)
{
	return pci_host_read(&((struct pc_board *)opaque)->pci, off, size);
}

static void pci_write_wide(void *opaque, uint16_t off, unsigned int size,
			   uint32_t val, struct vm_stop *stop)
{
	if (pci_host_write(&((struct pc_board *)opaque)->pci, off, size, val))
		reset_stop(stop, "reset control register 0xcf9");
}

static uint8_t pci_read(void *opaque, uint16_t off)
{
	return (uint8_t)pci_read_wide(opaque, off, 1);
}

static void pci_write(void *opaque, uint16_t off, uint8_t val,
		      struct vm_stop *stop)
{
	pci_write_wide(opaque, off, 1, val, stop);
}

static uint32_t pm_read_wide(void *opaque, uint16_t off, unsigned int size)
{
	return acpi_pm_read(&((struct pc_board *)opaque)->pm, off, size);
}

static void pm_write_wide(void *opaque, uint16_t off, unsigned int size,
			  uint32_t val, struct vm_stop *stop)
{
	struct pc_board *b = opaque;

	if (acpi_pm_write(&b->pm, off, size, val)) {
		stop->stop = true;
		stop->quiet = false;
		stop->status = 0;
		snprintf(stop->reason, sizeof(stop->reason),
			 "guest powered off (ACPI S5)");
	}
	pc_board_sync_irqs(b);
}

static uint8_t pm_read(void *opaque, uint16_t off)
{
	return (uint8_t)pm_read_wide(opaque, off, 1);
}

static void pm_write(void *opaque, uint16_t off, uint8_t val,
		     struct vm_stop *stop)
{
	pm_write_wide(opaque, off, 1, val, stop);
}

int pc_board_init(struct pc_board *b, struct io_bus *bus, uart8250_tx_fn tx,
		  void *tx_opaque)
{
	const struct io_device devs[] = {
		{ "com1", PC_COM1_BASE, UART_NR_REGS, b, com1_read, com1_write,
		  NULL, NULL },
		{ "pic-master", I8259_MASTER_BASE, 2, b, pic_master_read,
		  pic_master_write, NULL, NULL },
		{ "pic-slave", I8259_SLAVE_BASE, 2, b, pic_slave_read,
		  pic_slave_write, NULL, NULL },
		{ "elcr", I8259_ELCR_BASE, 2, b, elcr_read, elcr_write,
		  NULL, NULL },
		{ "pit", I8254_BASE, I8254_NR_PORTS, b, pit_read, pit_write,
		  NULL, NULL },
		{ "port61", I8254_PORT61, 1, b, port61_read, port61_write,
		  NULL, NULL },
		{ "cmos", CMOS_BASE, CMOS_NR_PORTS, b, cmos_port_read,
		  cmos_port_write, NULL, NULL },
		{ "i8042-data", I8042_DATA_PORT, 1, b, kbc_data_read,
		  kbc_data_write, NULL, NULL },
		{ "i8042-cmd", I8042_CMD_PORT, 1, b, kbc_cmd_read,
		  kbc_cmd_write, NULL, NULL },
		{ "pci-host", PCI_HOST_BASE, PCI_HOST_NR_PORTS, b, pci_read,
		  pci_write, pci_read_wide, pci_write_wide },
	};
	unsigned int i;

	i8259_init(&b->pic);
	i8254_init(&b->pit);
	cmos_init(&b->cmos);
	uart8250_init(&b->com1, tx, tx_opaque);
	i8042_init(&b->kbc);
	pci_host_init(&b->pci);
	b->apic = false;
	b->now = 0;
	b->wall = 0;
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (io_bus_register(bus, &devs[i]) < 0)
			return -1;
	return 0;
}

int pc_board_enable_apic(struct pc_board *b, struct io_bus *bus,
			 unsigned int ncpus, ioapic_msi_fn msi, void *msi_opaque,
			 acpi_pm_clock_fn clock, void *clock_opaque)
{
	const struct io_device pm = {
		"acpi-pm", ACPI_PM_BASE, ACPI_PM_NR_PORTS, b, pm_read, pm_write,
		pm_read_wide, pm_write_wide,
	};

	ioapic_init(&b->ioapic, (uint8_t)ncpus, msi, msi_opaque);
	acpi_pm_init(&b->pm, clock, clock_opaque);
	pci_bus_init(&b->pcibus);
	pci_host_attach(&b->pci, &b->pcibus);
	b->apic = true;
	return io_bus_register(bus, &pm);
}

int pc_board_add_pci(struct pc_board *b, struct pci_dev *d)
{
	if (!b->apic)
		return -1;
	return pci_bus_add(&b->pcibus, d);
}

void pc_board_acpi(struct acpi_board *out, unsigned int ncpus)
{
	*out = (struct acpi_board){
		.ncpus = ncpus,
		.lapic_addr = PC_LAPIC_BASE,
		.ioapic_addr = (uint32_t)IOAPIC_BASE,
		.ioapic_id = (uint8_t)ncpus,
		.sci_irq = PC_SCI_IRQ,
		.pm1a_evt = ACPI_PM_BASE + ACPI_PM1_STS,
		.pm1a_cnt = ACPI_PM_BASE + ACPI_PM1_CNT,
		.pm_tmr = ACPI_PM_BASE + ACPI_PM_TMR,
		.reset_port = PCI_HOST_BASE + PCI_RCR_OFFSET,
		.reset_value = PC_RESET_VALUE,
		.slp_typ_s5 = ACPI_SLP_TYP_S5,
		.century = CMOS_CENTURY,
		.pci = true,
		.pci_cfg_port = PCI_HOST_BASE,
		.pci_mmio_base = (uint32_t)PCI_MMIO_BASE,
		.pci_mmio_end = (uint32_t)PCI_MMIO_END,
		.pci_gsi_base = PCI_GSI_BASE,
		.pci_gsi_count = PCI_GSI_COUNT,
	};
}

unsigned int pc_board_gsi(unsigned int irq)
{
	return irq == PC_PIT_IRQ ? 2 : irq;
}

void pc_board_set_irq(struct pc_board *b, unsigned int irq, bool level)
{
	i8259_set_irq(&b->pic, irq, level);
	if (b->apic)
		ioapic_set_irq(&b->ioapic, pc_board_gsi(irq), level);
}

void pc_board_pulse_irq(struct pc_board *b, unsigned int irq)
{
	i8259_pulse_irq(&b->pic, irq);
	if (b->apic) {
		ioapic_set_irq(&b->ioapic, pc_board_gsi(irq), true);
		ioapic_set_irq(&b->ioapic, pc_board_gsi(irq), false);
	}
}

bool pc_board_mmio(struct pc_board *b, uint64_t gpa, bool is_write,
		   uint8_t *data, unsigned int len)
{
	if (!b->apic)
		return false;
	if (gpa >= IOAPIC_BASE && gpa + len <= IOAPIC_BASE + IOAPIC_MMIO_SIZE) {
		ioapic_mmio(&b->ioapic, gpa - IOAPIC_BASE, is_write, data, len);
		return true;
	}
	if (!pci_bus_mmio(&b->pcibus, gpa, is_write, data, len))
		return false;
	pc_board_sync_irqs(b);
	return true;
}

/*
 * PCI INTx# lines are wired-OR (PCI 3.0, 2.2.6): a GSI is asserted while
 * any function routed to it drives its line.  Only the I/O APIC sees
 * them; the 8259s have no inputs above IRQ 15.
 */
static void sync_pci_irqs(struct pc_board *b)
{
	bool level[PCI_GSI_COUNT] = { false };
	unsigned int slot, i;

	for (slot = 1; slot < PCI_SLOTS; slot++) {
		const struct pci_dev *d = b->pcibus.dev[slot];

		if (d && __atomic_load_n(&d->intx, __ATOMIC_ACQUIRE))
			level[d->gsi - PCI_GSI_BASE] = true;
	}
	for (i = 0; i < PCI_GSI_COUNT; i++)
		ioapic_set_irq(&b->ioapic, PCI_GSI_BASE + i, level[i]);
}

void pc_board_eoi(struct pc_board *b, uint8_t vector)
{
	if (b->apic)
		ioapic_eoi(&b->ioapic, vector);
}

void pc_board_sync_irqs(struct pc_board *b)
{
	pc_board_set_irq(b, PC_COM1_IRQ, uart8250_irq_line(&b->com1));
	if (b->apic) {
		pc_board_set_irq(b, PC_SCI_IRQ, acpi_pm_sci(&b->pm));
		sync_pci_irqs(b);
	}
}

void pc_board_tick(struct pc_board *b, uint64_t now, int64_t wall)
{
	if (now > b->now)
		b->now = now;
	b->wall = wall;
	/* The PIT's OUT0 is edge-triggered on IRQ 0: one pulse per due
	 * interrupt. */
	if (i8254_irq0_due(&b->pit, b->now))
		pc_board_pulse_irq(b, PC_PIT_IRQ);
	pc_board_sync_irqs(b);
}

bool pc_board_has_interrupt(const struct pc_board *b)
{
	return i8259_has_interrupt(&b->pic);
}

uint8_t pc_board_ack(struct pc_board *b)
{
	return i8259_ack(&b->pic);
}

bool pc_board_next_timer(const struct pc_board *b, uint64_t *when)
{
	return i8254_next_irq0(&b->pit, when);
}

bool pc_board_timer_can_interrupt(const struct pc_board *b)
{
	uint64_t when;

	return i8254_next_irq0(&b->pit, &when) &&
	       (i8259_irq_unmasked(&b->pic, PC_PIT_IRQ) ||
		(b->apic && !ioapic_pin_masked(&b->ioapic,
					       pc_board_gsi(PC_PIT_IRQ))));
}

bool pc_board_input_can_interrupt(const struct pc_board *b)
{
	return uart8250_rx_irq_armed(&b->com1) &&
	       (i8259_irq_unmasked(&b->pic, PC_COM1_IRQ) ||
		(b->apic && !ioapic_pin_masked(&b->ioapic, PC_COM1_IRQ)));
}
