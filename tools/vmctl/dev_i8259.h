/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC's pair of Intel 8259A programmable interrupt controllers as one
 * plain state machine: master at 0x20/0x21, slave at 0xa0/0xa1 cascaded
 * on the master's IR2, and the edge/level control registers (ELCR) at
 * 0x4d0/0x4d1.  Devices drive interrupt lines with i8259_set_irq(); the
 * run loop asks i8259_has_interrupt() and, when the guest can take one,
 * runs the INTA cycle with i8259_ack() to get the vector to inject.
 * Nothing here knows about svmhv: tests/unit_i8259.c drives it directly.
 */
#ifndef VMCTL_DEV_I8259_H
#define VMCTL_DEV_I8259_H

#include <stdbool.h>
#include <stdint.h>

#define I8259_MASTER_BASE	0x20
#define I8259_SLAVE_BASE	0xa0
#define I8259_ELCR_BASE		0x4d0
#define I8259_CASCADE_IRQ	2
#define I8259_NR_IRQS		16

struct i8259_chip {
	uint8_t irr;		/* interrupt request register */
	uint8_t isr;		/* in-service register */
	uint8_t imr;		/* interrupt mask register (OCW1) */
	uint8_t last_level;	/* input levels, for edge detection */
	uint8_t elcr;		/* 1 = level-triggered input */
	uint8_t elcr_mask;	/* ELCR bits that exist on this chip */
	uint8_t priority_add;	/* IR with the highest priority (rotation) */
	uint8_t irq_base;	/* ICW2: vector of IR0 */
	uint8_t init_state;	/* 0: ready, 1..3: expecting ICW2..ICW4 */
	bool init4;		/* ICW1 announced an ICW4 */
	bool single;		/* ICW1: no cascade (no ICW3) */
	bool auto_eoi;		/* ICW4 AEOI */
	bool rotate_on_aeoi;	/* OCW2 "rotate in automatic EOI mode" */
	bool special_fully_nested; /* ICW4 SFNM */
	bool special_mask;	/* OCW3 SMM */
	bool read_isr;		/* OCW3 RR/RIS: command port reads ISR */
	bool poll;		/* OCW3 P: next read is a poll */
	bool is_master;
};

struct i8259 {
	struct i8259_chip chip[2];	/* [0] master, [1] slave */
};

/* Power-on state: both chips uninitialized, IMR 0, edge-triggered. */
void i8259_init(struct i8259 *pic);

/* Drive input line @irq (0..15) to @level. */
void i8259_set_irq(struct i8259 *pic, unsigned int irq, bool level);
/* Level-triggered pulse: the rising edge an ISA edge-triggered device makes. */
void i8259_pulse_irq(struct i8259 *pic, unsigned int irq);
/* The master's INT output: an interrupt awaits acknowledgement. */
bool i8259_has_interrupt(const struct i8259 *pic);
/* INTA: acknowledge the highest-priority request and return its vector
 * (IR7's vector of the chip concerned for a spurious interrupt). */
uint8_t i8259_ack(struct i8259 *pic);
/* True when a request on @irq would reach the CPU (unmasked on its chip
 * and, for the slave, on the master's cascade input). */
bool i8259_irq_unmasked(const struct i8259 *pic, unsigned int irq);

/* Port access: @chip 0 master, 1 slave; @offset 0 command, 1 data. */
uint8_t i8259_read(struct i8259 *pic, unsigned int chip, unsigned int offset);
void i8259_write(struct i8259 *pic, unsigned int chip, unsigned int offset,
		 uint8_t val);
/* ELCR: @chip 0 is port 0x4d0 (IRQ0-7), 1 is 0x4d1 (IRQ8-15). */
uint8_t i8259_elcr_read(struct i8259 *pic, unsigned int chip);
void i8259_elcr_write(struct i8259 *pic, unsigned int chip, uint8_t val);

#endif /* VMCTL_DEV_I8259_H */
