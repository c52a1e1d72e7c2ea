/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 16550-compatible 8250 UART as a plain state machine: fed one byte
 * register access at a time (offset 0..7 from the base port), it hands
 * transmitted bytes to a callback and takes received bytes from
 * uart8250_receive().  Nothing here knows about svmhv, so the register
 * behaviour is unit-tested on the host (tests/unit_uart8250.c).
 *
 * Transmission is instantaneous: a THR write reaches the callback before
 * the access returns, so LSR always reports THR empty and transmitter
 * empty, and a THR-empty interrupt follows every byte.  Reception goes
 * through a FIFO of 16 bytes when FCR enabled the FIFOs, else through the
 * single holding register of the 8250.  The interrupt output (IRQ 4 for
 * COM1) is uart8250_irq_line(): an enabled source is pending and MCR OUT2
 * connects the line, as on every PC serial port.
 */
#ifndef VMCTL_DEV_UART8250_H
#define VMCTL_DEV_UART8250_H

#include <stdbool.h>
#include <stdint.h>

/* Register offsets (read / write; DLAB is LCR bit 7). */
#define UART_RBR	0	/* DLAB=0 read: receive buffer */
#define UART_THR	0	/* DLAB=0 write: transmit holding */
#define UART_DLL	0	/* DLAB=1: divisor latch low */
#define UART_IER	1	/* DLAB=0: interrupt enable */
#define UART_DLM	1	/* DLAB=1: divisor latch high */
#define UART_IIR	2	/* read: interrupt identification */
#define UART_FCR	2	/* write: FIFO control */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7
#define UART_NR_REGS	8

#define UART_IER_RDI	0x01	/* received data available */
#define UART_IER_THRI	0x02	/* THR empty */
#define UART_IER_RLSI	0x04	/* receiver line status */
#define UART_IIR_NO_INT	0x01
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define UART_IIR_FIFO	0xc0	/* FIFOs enabled (16550) */
#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLEAR_RCVR 0x02
#define UART_LCR_DLAB	0x80
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10
#define UART_LSR_DR	0x01
#define UART_LSR_OE	0x02
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80

#define UART_FIFO_SIZE	16

typedef void (*uart8250_tx_fn)(void *opaque, uint8_t byte);

struct uart8250 {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t rx[UART_FIFO_SIZE];	/* receive FIFO (ring) */
	unsigned int rx_head, rx_count;
	uint8_t rbr;		/* last byte read, what an empty RBR shows */
	bool overrun;		/* LSR.OE, cleared by reading LSR */
	bool fifo;		/* FCR bit 0 */
	bool thri_pending;	/* THR-empty interrupt not yet acknowledged */
	uart8250_tx_fn tx;
	void *opaque;
};

/* Reset state: divisor 12 (9600 baud), 8250 registers zero, LSR 0x60. */
void uart8250_init(struct uart8250 *u, uart8250_tx_fn tx, void *opaque);
uint8_t uart8250_read(struct uart8250 *u, unsigned int offset);
void uart8250_write(struct uart8250 *u, unsigned int offset, uint8_t val);

/* Bytes the receiver can take now (0 when full; loopback takes none
 * from outside). */
unsigned int uart8250_rx_room(const struct uart8250 *u);
/* A byte arrives on the serial input; false (byte dropped, overrun)
 * when there is no room. */
bool uart8250_receive(struct uart8250 *u, uint8_t byte);
/* The level of the interrupt output (to the PIC). */
bool uart8250_irq_line(const struct uart8250 *u);
/* The guest has enabled the received-data interrupt and connected the
 * line: input can wake it. */
bool uart8250_rx_irq_armed(const struct uart8250 *u);

#endif /* VMCTL_DEV_UART8250_H */
