/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The legacy PC a Linux guest boots on: COM1 (IRQ 4), the 8259 pair, the
 * 8254 and port 0x61, the CMOS RTC, the i8042 and PCI 0xcf9 reset paths
 * and an empty PCI config window, wired to each other and to an io_bus.
 * It holds no svmhv state: the run loop feeds it time and input, asks
 * for the next interrupt vector and for the next moment it needs
 * attention, so tests/unit_pc_board.c can drive a whole interrupt path.
 *
 * pc_board_enable_apic() makes it the SMP PC: an I/O APIC at 0xfec00000
 * (MMIO through pc_board_mmio()) whose messages leave through a callback
 * (SVMHV_SIGNAL_MSI), ACPI PM registers at 0x600 and the ACPI tables that
 * describe them (pc_board_acpi()), and PCI bus 0 behind the 0xcf8 window
 * (pci/pci_bus.h: a host bridge, devices added with pc_board_add_pci(),
 * their BARs reached through pc_board_mmio()).  Every ISA interrupt line
 * then goes both to its 8259 input and to its I/O APIC pin, as on a PC:
 * IRQ n is GSI n, except IRQ 0 (the PIT), which is GSI 2 (the MADT says
 * so); PCI INTA# lines go to GSIs 16-23 only (the DSDT's _PRT).
 */
#ifndef VMCTL_PC_BOARD_H
#define VMCTL_PC_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#include "acpi.h"
#include "dev_acpi_pm.h"
#include "dev_cmos.h"
#include "dev_i8042.h"
#include "dev_i8254.h"
#include "dev_i8259.h"
#include "dev_ioapic.h"
#include "dev_pci_host.h"
#include "dev_uart8250.h"
#include "io_bus.h"
#include "pci/pci_bus.h"

#define PC_COM1_BASE	0x3f8
#define PC_COM1_IRQ	4
#define PC_PIT_IRQ	0
#define PC_RTC_IRQ	8	/* wired; the RTC model raises no interrupts */
#define PC_SCI_IRQ	9
#define PC_LAPIC_BASE	0xfee00000u
#define PC_RESET_VALUE	(PCI_RCR_RST_CPU | PCI_RCR_SYS_RST)	/* 6 at 0xcf9 */

struct pc_board {
	struct i8259 pic;
	struct i8254 pit;
	struct cmos cmos;
	struct uart8250 com1;
	struct i8042 kbc;
	struct pci_host pci;
	bool apic;		/* the SMP PC: I/O APIC, ACPI PM */
	struct ioapic ioapic;
	struct acpi_pm pm;
	struct pci_bus pcibus;	/* the SMP PC's bus 0 */
	uint64_t now;		/* PIT ticks, as of the last pc_board_tick() */
	int64_t wall;		/* seconds since the epoch, for the RTC */
};

/*
 * Reset every device and register them on @bus.  COM1 transmits through
 * @tx.  A reset request (0xcf9, i8042) stops the guest through the
 * vm_stop of the access with status 0.  Returns -1 if @bus is full.
 */
int pc_board_init(struct pc_board *b, struct io_bus *bus, uart8250_tx_fn tx,
		  void *tx_opaque);
/*
 * Add the I/O APIC (ID @ncpus, after the CPUs' APIC IDs) sending through
 * @msi, and the ACPI PM block reading time from @clock.  S5 stops the
 * guest with status 0.  Returns -1 if @bus is full.
 */
int pc_board_enable_apic(struct pc_board *b, struct io_bus *bus,
			 unsigned int ncpus, ioapic_msi_fn msi, void *msi_opaque,
			 acpi_pm_clock_fn clock, void *clock_opaque);
/* Put PCI function @d on bus 0 (SMP PC only): its slot, or -1. */
int pc_board_add_pci(struct pc_board *b, struct pci_dev *d);
/* The ACPI description of the SMP PC with @ncpus CPUs. */
void pc_board_acpi(struct acpi_board *out, unsigned int ncpus);
/* The I/O APIC pin (GSI) ISA IRQ @irq arrives on. */
unsigned int pc_board_gsi(unsigned int irq);
/* Drive ISA IRQ line @irq: the 8259 input and, with the APIC, its pin. */
void pc_board_set_irq(struct pc_board *b, unsigned int irq, bool level);
/* An edge-triggered ISA device's pulse on @irq. */
void pc_board_pulse_irq(struct pc_board *b, unsigned int irq);
/* A guest MMIO access: true if a board device (the I/O APIC, a PCI
 * BAR) took it. */
bool pc_board_mmio(struct pc_board *b, uint64_t gpa, bool is_write,
		   uint8_t *data, unsigned int len);
/* The local APICs EOIed level-triggered @vector (SVMHV_EXIT_IOAPIC_EOI). */
void pc_board_eoi(struct pc_board *b, uint8_t vector);
/* Bring the devices to time @now (PIT ticks) / @wall (epoch seconds):
 * timer interrupts fire, interrupt lines are sampled into the PIC. */
void pc_board_tick(struct pc_board *b, uint64_t now, int64_t wall);
/* Sample the device interrupt lines into the PIC after port accesses
 * (and PCI INTx lines into the I/O APIC). */
void pc_board_sync_irqs(struct pc_board *b);
bool pc_board_has_interrupt(const struct pc_board *b);
/* INTA: the vector to inject. */
uint8_t pc_board_ack(struct pc_board *b);
/* PIT tick at which a timer interrupt is next due; false if never. */
bool pc_board_next_timer(const struct pc_board *b, uint64_t *when);
/* True if a timer interrupt can ever reach a CPU as things stand. */
bool pc_board_timer_can_interrupt(const struct pc_board *b);
/* True if input on COM1 would raise an interrupt the CPU can take. */
bool pc_board_input_can_interrupt(const struct pc_board *b);

#endif /* VMCTL_PC_BOARD_H */
