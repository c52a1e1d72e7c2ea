// SPDX-License-Identifier: GPL-2.0
/*
 * 8250/16550 UART register model (National Semiconductor PC16550D data
 * sheet, section 8).  Only what a polling guest or Linux's 8250 probe
 * looks at is modelled: the divisor latch behind DLAB, IER/IIR with the
 * THRE and received-data sources, FCR's FIFO-enable bit (seen in IIR
 * bits 7:6), loopback through MCR bit 4, LSR, MSR and the scratch register.
 * No interrupt line exists, so IIR only reports what would be pending.
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

static uint8_t read_iir(struct uart8250 *u)
{
	uint8_t fifo_bits = u->fifo ? UART_IIR_FIFO : 0;

	/* Received data outranks THRE (data sheet, table 4). */
	if ((u->ier & UART_IER_RDI) && u->rx_full)
		return fifo_bits | UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thri_pending) {
		/* Reading IIR while THRE is the source acknowledges it. */
		u->thri_pending = false;
		return fifo_bits | UART_IIR_THRI;
	}
	return fifo_bits | UART_IIR_NO_INT;
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
		u->rx_full = false;
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
		if (u->rx_full)
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
	if (loopback(u)) {
		if (u->rx_full)
			u->overrun = true;
		u->rbr = val;
		u->rx_full = true;
	} else if (u->tx) {
		u->tx(u->opaque, val);
	}
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
		u->fifo = val & UART_FCR_ENABLE;
		if (val & UART_FCR_CLEAR_RCVR)
			u->rx_full = false;
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
