// SPDX-License-Identifier: GPL-2.0
/*
 * Intel 8259A PIC pair (8259A data sheet: "Interrupt sequence", ICW1-4,
 * OCW1-3; the PC/AT cascade wiring; the PIIX ELCR).  The priority logic
 * follows the data sheet and matches what QEMU's i8259 does, so Linux's
 * i8259 driver (probe by IMR read-back, ICW sequence, specific EOI,
 * spurious-IRQ check through OCW3 "read ISR") sees the same answers.
 *
 * Edge triggering: a request is latched into IRR on a rising edge of the
 * input and stays there until INTA, even if the line drops.  Level mode
 * (ELCR bit set) follows the line.  The slave's INT output is an input of
 * the master's IR2; the master's INT output is what i8259_has_interrupt()
 * reports to the run loop.
 */
#include <string.h>

#include "dev_i8259.h"

static void chip_reset(struct i8259_chip *c)
{
	uint8_t elcr = c->elcr, elcr_mask = c->elcr_mask;
	bool is_master = c->is_master;

	/* ICW1 clears IMR and ISR and the edge-sense latch; ELCR is a
	 * separate chipset register and survives. */
	memset(c, 0, sizeof(*c));
	c->elcr = elcr;
	c->elcr_mask = elcr_mask;
	c->is_master = is_master;
}

void i8259_init(struct i8259 *pic)
{
	memset(pic, 0, sizeof(*pic));
	pic->chip[0].is_master = true;
	/* PIIX: IRQ0, 1, 2 (master) and 8, 13 (slave) are always edge. */
	pic->chip[0].elcr_mask = 0xf8;
	pic->chip[1].elcr_mask = 0xde;
}

/* Priority level (0 = highest) of the best bit in @mask, 8 if none. */
static int priority_of(const struct i8259_chip *c, uint8_t mask)
{
	int p;

	if (!mask)
		return 8;
	for (p = 0; !(mask & (1u << ((p + c->priority_add) & 7))); p++)
		;
	return p;
}

/* The IR this chip would signal now, or -1. */
static int chip_pending(const struct i8259_chip *c)
{
	int want, cur;
	uint8_t in_service;

	want = priority_of(c, c->irr & ~c->imr);
	if (want == 8)
		return -1;
	in_service = c->isr;
	/* Special mask mode lets masked in-service levels be preempted. */
	if (c->special_mask)
		in_service &= ~c->imr;
	/* Special fully nested: the slave may interrupt its own in-service
	 * cascade level, so IR2 does not block on the master. */
	if (c->special_fully_nested && c->is_master)
		in_service &= ~(1u << I8259_CASCADE_IRQ);
	cur = priority_of(c, in_service);
	if (want < cur)
		return (want + c->priority_add) & 7;
	return -1;
}

static void chip_set_input(struct i8259_chip *c, unsigned int ir, bool level)
{
	uint8_t bit = (uint8_t)(1u << ir);

	if (c->elcr & bit) {
		if (level)
			c->irr |= bit;
		else
			c->irr &= (uint8_t)~bit;
	} else if (level && !(c->last_level & bit)) {
		c->irr |= bit;
	}
	if (level)
		c->last_level |= bit;
	else
		c->last_level &= (uint8_t)~bit;
}

/* Propagate the slave's INT output to the master's IR2 input. */
static void update_cascade(struct i8259 *pic)
{
	chip_set_input(&pic->chip[0], I8259_CASCADE_IRQ,
		       chip_pending(&pic->chip[1]) >= 0);
}

void i8259_set_irq(struct i8259 *pic, unsigned int irq, bool level)
{
	if (irq >= I8259_NR_IRQS || irq == I8259_CASCADE_IRQ)
		return;
	chip_set_input(&pic->chip[irq >> 3], irq & 7, level);
	update_cascade(pic);
}

void i8259_pulse_irq(struct i8259 *pic, unsigned int irq)
{
	i8259_set_irq(pic, irq, true);
	i8259_set_irq(pic, irq, false);
}

bool i8259_has_interrupt(const struct i8259 *pic)
{
	return chip_pending(&pic->chip[0]) >= 0;
}

bool i8259_irq_unmasked(const struct i8259 *pic, unsigned int irq)
{
	if (irq >= I8259_NR_IRQS)
		return false;
	if (pic->chip[irq >> 3].imr & (1u << (irq & 7)))
		return false;
	return irq < 8 ||
	       !(pic->chip[0].imr & (1u << I8259_CASCADE_IRQ));
}

/* The INTA response of one chip for IR @ir. */
static void chip_intack(struct i8259_chip *c, int ir)
{
	uint8_t bit = (uint8_t)(1u << ir);

	if (c->auto_eoi) {
		if (c->rotate_on_aeoi)
			c->priority_add = (uint8_t)((ir + 1) & 7);
	} else {
		c->isr |= bit;
	}
	/* A level-triggered request stays while its line is high. */
	if (!(c->elcr & bit))
		c->irr &= (uint8_t)~bit;
}

uint8_t i8259_ack(struct i8259 *pic)
{
	struct i8259_chip *m = &pic->chip[0], *s = &pic->chip[1];
	int ir = chip_pending(m), ir2;
	uint8_t vector;

	if (ir < 0)
		/* Spurious: the request vanished before INTA; the 8259A
		 * answers with IR7's vector and sets no ISR bit. */
		return (uint8_t)(m->irq_base + 7);
	if (ir == I8259_CASCADE_IRQ) {
		ir2 = chip_pending(s);
		if (ir2 >= 0) {
			chip_intack(s, ir2);
			vector = (uint8_t)(s->irq_base + ir2);
		} else {
			vector = (uint8_t)(s->irq_base + 7);
		}
	} else {
		vector = (uint8_t)(m->irq_base + ir);
	}
	chip_intack(m, ir);
	if (ir == I8259_CASCADE_IRQ) {
		/* The slave answered: its INT output is sampled afresh, so
		 * a further slave request makes a new edge on IR2. */
		m->last_level &= (uint8_t)~(1u << I8259_CASCADE_IRQ);
		update_cascade(pic);
	}
	return vector;
}

static uint8_t chip_poll(struct i8259 *pic, struct i8259_chip *c)
{
	int ir = chip_pending(c);

	c->poll = false;
	if (ir < 0)
		return 0;
	chip_intack(c, ir);
	update_cascade(pic);
	return (uint8_t)(0x80 | ir);
}

uint8_t i8259_read(struct i8259 *pic, unsigned int chip, unsigned int offset)
{
	struct i8259_chip *c = &pic->chip[chip & 1];

	if (c->poll)
		return chip_poll(pic, c);
	if (offset & 1)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

/* OCW2: end of interrupt and rotation commands (bits 7:5). */
static void write_ocw2(struct i8259_chip *c, uint8_t val)
{
	unsigned int cmd = val >> 5;
	int p, ir;

	switch (cmd) {
	case 0:	/* rotate in AEOI mode: clear */
	case 4:	/* rotate in AEOI mode: set */
		c->rotate_on_aeoi = cmd == 4;
		break;
	case 1:	/* non-specific EOI */
	case 5:	/* rotate on non-specific EOI */
		p = priority_of(c, c->isr);
		if (p == 8)
			break;
		ir = (p + c->priority_add) & 7;
		c->isr &= (uint8_t)~(1u << ir);
		if (cmd == 5)
			c->priority_add = (uint8_t)((ir + 1) & 7);
		break;
	case 3:	/* specific EOI */
		c->isr &= (uint8_t)~(1u << (val & 7));
		break;
	case 6:	/* set priority: IR val&7 becomes the lowest */
		c->priority_add = (uint8_t)((val + 1) & 7);
		break;
	case 7:	/* rotate on specific EOI */
		c->isr &= (uint8_t)~(1u << (val & 7));
		c->priority_add = (uint8_t)(((val & 7) + 1) & 7);
		break;
	default: /* 2: no operation */
		break;
	}
}

void i8259_write(struct i8259 *pic, unsigned int chip, unsigned int offset,
		 uint8_t val)
{
	struct i8259_chip *c = &pic->chip[chip & 1];

	if (!(offset & 1)) {
		if (val & 0x10) {		/* ICW1 */
			chip_reset(c);
			c->init_state = 1;
			c->init4 = val & 0x01;
			c->single = val & 0x02;
		} else if (val & 0x08) {	/* OCW3 */
			if (val & 0x04)
				c->poll = true;
			if (val & 0x02)
				c->read_isr = val & 0x01;
			if (val & 0x40)
				c->special_mask = val & 0x20;
		} else {
			write_ocw2(c, val);
		}
	} else {
		switch (c->init_state) {
		case 0:				/* OCW1 */
			c->imr = val;
			break;
		case 1:				/* ICW2 */
			/* Vector bits 7:3; the IR number fills 2:0. */
			c->irq_base = val & 0xf8;
			c->init_state = c->single ? (c->init4 ? 3 : 0) : 2;
			break;
		case 2:				/* ICW3: wiring, fixed on a PC */
			c->init_state = c->init4 ? 3 : 0;
			break;
		case 3:				/* ICW4 */
			c->special_fully_nested = val & 0x10;
			c->auto_eoi = val & 0x02;
			c->init_state = 0;
			break;
		}
	}
	update_cascade(pic);
}

uint8_t i8259_elcr_read(struct i8259 *pic, unsigned int chip)
{
	return pic->chip[chip & 1].elcr;
}

void i8259_elcr_write(struct i8259 *pic, unsigned int chip, uint8_t val)
{
	struct i8259_chip *c = &pic->chip[chip & 1];

	c->elcr = val & c->elcr_mask;
}
