// SPDX-License-Identifier: GPL-2.0
/*
 * 8250/16550 UART register model (National Semiconductor PC16550D data
 * sheet, section 8).  What Linux's 8250 driver looks at is modelled: the
 * divisor latch behind DLAB; IER/IIR with the line-status, received-data
 * and THR-empty sources in the data sheet's priority order (table 4); FCR
 * enabling a 16-byte receive FIFO, seen in IIR bits 7:6 (Linux's probe
 * tells a 16550A from an 8250 by them); loopback through MCR bit 4; LSR;
 * MSR; the scratch register; the interrupt output gated by MCR OUT2.
 *
 * The received-data interrupt is raised as soon as one byte is waiting
 * (a trigger level of 1): a console wants each keystroke at once, and the
 * driver reads the FIFO until LSR.DR clears either way.
 */
#include <string.h>

#include "dev_uart8250.h"

void uart8250_init(struct uart8250 *u, uart8250_tx_fn tx, void *opaque)
{
	memset(u, 0, sizeof(*u));
	u->dll = 12;
	u->tx = tx;
	u->opaque = opaque;
}

static bool dlab(const struct uart8250 *u)
{
	return u->lcr & UART_LCR_DLAB;
}

static bool loopback(const struct uart8250 *u)
{
	return u->mcr & UART_MCR_LOOP;
}

/* The 8250 without FIFOs holds one received byte. */
static unsigned int rx_capacity(const struct uart8250 *u)
{
	return u->fifo ? UART_FIFO_SIZE : 1;
}

static bool rx_push(struct uart8250 *u, uint8_t byte)
{
	if (u->rx_count >= rx_capacity(u)) {
		u->overrun = true;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
	u->rx_count++;
	return true;
}

static void rx_clear(struct uart8250 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

/* The pending source of highest priority, as IIR bits 3:0. */
static uint8_t pending_source(const struct uart8250 *u)
{
	if ((u->ier & UART_IER_RLSI) && u->overrun)
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && u->rx_count)
		return UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thri_pending)
		return UART_IIR_THRI;
	return UART_IIR_NO_INT;
}

static uint8_t read_iir(struct uart8250 *u)
{
	uint8_t fifo_bits = u->fifo ? UART_IIR_FIFO : 0;
	uint8_t src = pending_source(u);

	/* Reading IIR while THRE is the source acknowledges it. */
	if (src == UART_IIR_THRI)
		u->thri_pending = false;
	return fifo_bits | src;
}

static uint8_t read_msr(const struct uart8250 *u)
{
	uint8_t m = u->mcr;

	if (!loopback(u))
		/* A "cable" that is always connected and ready. */
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	/* Loopback wires DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
	return (uint8_t)(((m & 0x01) ? UART_MSR_DSR : 0) |
			 ((m & 0x02) ? UART_MSR_CTS : 0) |
			 ((m & 0x04) ? UART_MSR_RI : 0) |
			 ((m & 0x08) ? UART_MSR_DCD : 0));
}

uint8_t uart8250_read(struct uart8250 *u, unsigned int offset)
{
	uint8_t v;

	switch (offset) {
	case UART_RBR:
		if (dlab(u))
			return u->dll;
		if (u->rx_count) {
			u->rbr = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
			u->rx_count--;
		}
		return u->rbr;
	case UART_IER:
		return dlab(u) ? u->dlm : u->ier;
	case UART_IIR:
		return read_iir(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = UART_LSR_THRE | UART_LSR_TEMT;
		if (u->rx_count)
			v |= UART_LSR_DR;
		if (u->overrun)
			v |= UART_LSR_OE;
		u->overrun = false;
		return v;
	case UART_MSR:
		return read_msr(u);
	case UART_SCR:
		return u->scr;
	}
	return 0xff;
}

static void transmit(struct uart8250 *u, uint8_t val)
{
	if (loopback(u))
		rx_push(u, val);
	else if (u->tx)
		u->tx(u->opaque, val);
	/* The byte left at once: THR is empty again. */
	u->thri_pending = true;
}

void uart8250_write(struct uart8250 *u, unsigned int offset, uint8_t val)
{
	switch (offset) {
	case UART_THR:
		if (dlab(u))
			u->dll = val;
		else
			transmit(u, val);
		break;
	case UART_IER:
		if (dlab(u)) {
			u->dlm = val;
			break;
		}
		/* Enabling THRI with THR empty raises it immediately. */
		if ((val & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
			u->thri_pending = true;
		u->ier = val & 0x0f;
		break;
	case UART_FCR:
		/* Switching the FIFOs on or off empties them (data sheet,
		 * FCR bit 0). */
		if ((bool)(val & UART_FCR_ENABLE) != u->fifo)
			rx_clear(u);
		u->fifo = val & UART_FCR_ENABLE;
		if (val & UART_FCR_CLEAR_RCVR)
			rx_clear(u);
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & 0x1f;
		break;
	case UART_LSR:
	case UART_MSR:
		/* Read-only on a real 8250 (factory test only). */
		break;
	case UART_SCR:
		u->scr = val;
		break;
	}
}

unsigned int uart8250_rx_room(const struct uart8250 *u)
{
	if (loopback(u) || u->rx_count >= rx_capacity(u))
		return 0;
	return rx_capacity(u) - u->rx_count;
}

bool uart8250_receive(struct uart8250 *u, uint8_t byte)
{
	/* In loopback the receiver listens to the transmitter only. */
	if (loopback(u))
		return false;
	return rx_push(u, byte);
}

bool uart8250_irq_line(const struct uart8250 *u)
{
	/* Loopback disconnects OUT2 from the line (it drives DCD). */
	return (u->mcr & UART_MCR_OUT2) && !loopback(u) &&
	       pending_source(u) != UART_IIR_NO_INT;
}

bool uart8250_rx_irq_armed(const struct uart8250 *u)
{
	return (u->ier & UART_IER_RDI) && (u->mcr & UART_MCR_OUT2) &&
	       !loopback(u);
}
