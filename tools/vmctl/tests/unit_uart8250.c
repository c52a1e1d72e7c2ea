// SPDX-License-Identifier: GPL-2.0
/*
 * Register behaviour of the 8250 model (dev_uart8250.c) as a guest driver
 * sees it: THR output reaches the callback in order, LSR always reports an
 * empty transmitter, DLAB banks the divisor latch over THR/IER, the
 * scratch register holds a byte, IIR reports the THRE source and FIFO
 * state, loopback routes THR to RBR and MCR to MSR; received bytes go
 * through the 16-byte FIFO (one byte without FIFOs), IIR ranks line
 * status over received data over THRE, the interrupt line needs OUT2, and
 * the THRE re-assertion test of Linux's serial8250_do_startup() passes.
 */
#include <string.h>

#include "../dev_uart8250.h"
#include "unit.h"

static char out[64];
static unsigned int nout;

static void capture(void *opaque, uint8_t byte)
{
	(void)opaque;
	if (nout < sizeof(out))
		out[nout++] = (char)byte;
}

static void fresh(struct uart8250 *u)
{
	nout = 0;
	memset(out, 0, sizeof(out));
	uart8250_init(u, capture, NULL);
}

void unit_uart8250(void)
{
	struct uart8250 u;
	const char *s = "Hi!\n";
	unsigned int i;

	fresh(&u);
	CHECK(uart8250_read(&u, UART_LSR) == 0x60,
	      "uart_lsr_reports_thr_and_transmitter_empty_after_reset");
	CHECK(uart8250_read(&u, UART_IIR) == UART_IIR_NO_INT,
	      "uart_iir_no_interrupt_after_reset");
	CHECK(uart8250_read(&u, UART_IER) == 0 && uart8250_read(&u, UART_LCR) == 0 &&
	      uart8250_read(&u, UART_MCR) == 0, "uart_ier_lcr_mcr_zero_after_reset");
	CHECK(uart8250_read(&u, UART_MSR) == 0xb0,
	      "uart_msr_reports_dcd_dsr_cts_without_loopback");

	for (i = 0; s[i]; i++)
		uart8250_write(&u, UART_THR, (uint8_t)s[i]);
	CHECK(nout == 4 && memcmp(out, "Hi!\n", 4) == 0,
	      "uart_thr_writes_reach_output_in_order");
	CHECK(uart8250_read(&u, UART_LSR) == 0x60,
	      "uart_lsr_still_empty_after_transmit");
	CHECK(uart8250_read(&u, UART_RBR) == 0 &&
	      !(uart8250_read(&u, UART_LSR) & UART_LSR_DR),
	      "uart_rbr_empty_without_input");

	/* Divisor latch: 115200 baud = divisor 1. */
	fresh(&u);
	uart8250_write(&u, UART_LCR, UART_LCR_DLAB | 0x03);
	CHECK(uart8250_read(&u, UART_DLL) == 12 && uart8250_read(&u, UART_DLM) == 0,
	      "uart_divisor_resets_to_9600_baud");
	uart8250_write(&u, UART_DLL, 0x01);
	uart8250_write(&u, UART_DLM, 0x02);
	CHECK(nout == 0, "uart_dlab_write_to_offset0_is_not_output");
	CHECK(uart8250_read(&u, UART_DLL) == 0x01 && uart8250_read(&u, UART_DLM) == 0x02,
	      "uart_dlab_reads_back_divisor_latch");
	uart8250_write(&u, UART_LCR, 0x03);
	CHECK(uart8250_read(&u, UART_IER) == 0,
	      "uart_dlm_write_does_not_touch_ier");
	CHECK(uart8250_read(&u, UART_LCR) == 0x03, "uart_lcr_reads_back");
	uart8250_write(&u, UART_THR, 'x');
	CHECK(nout == 1 && out[0] == 'x', "uart_thr_output_after_dlab_cleared");
	uart8250_write(&u, UART_LCR, UART_LCR_DLAB);
	CHECK(uart8250_read(&u, UART_DLL) == 0x01,
	      "uart_divisor_kept_across_dlab_toggle");

	fresh(&u);
	uart8250_write(&u, UART_SCR, 0xa5);
	CHECK(uart8250_read(&u, UART_SCR) == 0xa5, "uart_scratch_register_holds_byte");
	uart8250_write(&u, UART_SCR, 0x5a);
	CHECK(uart8250_read(&u, UART_SCR) == 0x5a, "uart_scratch_register_rewritten");
	uart8250_write(&u, UART_LSR, 0x00);
	CHECK(uart8250_read(&u, UART_LSR) == 0x60, "uart_lsr_ignores_writes");
	uart8250_write(&u, UART_IER, 0xff);
	CHECK(uart8250_read(&u, UART_IER) == 0x0f, "uart_ier_keeps_low_four_bits");

	/* IIR: THRE interrupt raised on enable, acknowledged by reading IIR. */
	fresh(&u);
	uart8250_write(&u, UART_IER, UART_IER_THRI);
	CHECK(uart8250_read(&u, UART_IIR) == UART_IIR_THRI,
	      "uart_iir_reports_thre_when_enabled");
	CHECK(uart8250_read(&u, UART_IIR) == UART_IIR_NO_INT,
	      "uart_iir_read_acknowledges_thre");
	uart8250_write(&u, UART_THR, 'a');
	CHECK(uart8250_read(&u, UART_IIR) == UART_IIR_THRI,
	      "uart_iir_thre_again_after_transmit");
	uart8250_write(&u, UART_FCR, UART_FCR_ENABLE);
	CHECK(uart8250_read(&u, UART_IIR) == (UART_IIR_FIFO | UART_IIR_NO_INT),
	      "uart_iir_shows_fifo_enabled");
	uart8250_write(&u, UART_FCR, 0);
	CHECK(uart8250_read(&u, UART_IIR) == UART_IIR_NO_INT,
	      "uart_iir_fifo_bits_clear_when_disabled");

	/* Loopback, as Linux's 8250 autoconfig uses it. */
	fresh(&u);
	uart8250_write(&u, UART_MCR, UART_MCR_LOOP | 0x0a);
	CHECK((uart8250_read(&u, UART_MSR) & 0xf0) == (UART_MSR_CTS | UART_MSR_DCD),
	      "uart_loopback_maps_rts_out2_to_cts_dcd");
	uart8250_write(&u, UART_THR, 'L');
	CHECK(nout == 0, "uart_loopback_byte_not_output");
	CHECK(uart8250_read(&u, UART_LSR) & UART_LSR_DR, "uart_loopback_sets_data_ready");
	uart8250_write(&u, UART_IER, UART_IER_RDI);
	CHECK(uart8250_read(&u, UART_IIR) == UART_IIR_RDI,
	      "uart_iir_reports_received_data");
	CHECK(uart8250_read(&u, UART_RBR) == 'L', "uart_loopback_byte_in_rbr");
	CHECK(!(uart8250_read(&u, UART_LSR) & UART_LSR_DR), "uart_rbr_read_clears_dr");
	uart8250_write(&u, UART_THR, '1');
	uart8250_write(&u, UART_THR, '2');
	CHECK(uart8250_read(&u, UART_LSR) & UART_LSR_OE, "uart_second_byte_overruns");
	CHECK(!(uart8250_read(&u, UART_LSR) & UART_LSR_OE), "uart_lsr_read_clears_overrun");
	uart8250_write(&u, UART_MCR, 0);
	uart8250_write(&u, UART_THR, 'o');
	CHECK(nout == 1 && out[0] == 'o', "uart_output_resumes_after_loopback");

	/* Receive: one byte without FIFOs, sixteen with. */
	fresh(&u);
	CHECK(uart8250_rx_room(&u) == 1, "uart_8250_mode_holds_one_byte");
	CHECK(uart8250_receive(&u, 'a') && !uart8250_receive(&u, 'b'),
	      "uart_8250_mode_second_byte_overruns");
	CHECK((uart8250_read(&u, UART_LSR) & (UART_LSR_DR | UART_LSR_OE)) ==
	      (UART_LSR_DR | UART_LSR_OE), "uart_lsr_reports_data_and_overrun");
	CHECK(uart8250_read(&u, UART_RBR) == 'a', "uart_receive_delivers_byte");
	uart8250_write(&u, UART_FCR, UART_FCR_ENABLE);
	CHECK(uart8250_rx_room(&u) == UART_FIFO_SIZE, "uart_fifo_takes_sixteen");
	for (i = 0; i < UART_FIFO_SIZE; i++)
		uart8250_receive(&u, (uint8_t)('A' + i));
	CHECK(uart8250_rx_room(&u) == 0 && !uart8250_receive(&u, 'z'),
	      "uart_full_fifo_refuses_byte");
	for (i = 0; i < UART_FIFO_SIZE; i++)
		if (uart8250_read(&u, UART_RBR) != 'A' + i)
			break;
	CHECK(i == UART_FIFO_SIZE, "uart_fifo_delivers_in_order");
	CHECK(!(uart8250_read(&u, UART_LSR) & UART_LSR_DR),
	      "uart_dr_clear_when_fifo_drained");
	uart8250_receive(&u, 'q');
	uart8250_write(&u, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RCVR);
	CHECK(!(uart8250_read(&u, UART_LSR) & UART_LSR_DR), "uart_fcr_clears_receive_fifo");

	/* Interrupt line and IIR priority. */
	fresh(&u);
	uart8250_write(&u, UART_IER, UART_IER_RDI | UART_IER_THRI | UART_IER_RLSI);
	CHECK(!uart8250_irq_line(&u), "uart_irq_line_needs_out2");
	CHECK(!uart8250_rx_irq_armed(&u), "uart_rx_irq_not_armed_without_out2");
	uart8250_write(&u, UART_MCR, UART_MCR_OUT2);
	CHECK(uart8250_irq_line(&u) && uart8250_rx_irq_armed(&u),
	      "uart_irq_line_with_out2_and_thre");
	uart8250_receive(&u, 'x');
	uart8250_receive(&u, 'y');	/* overrun in 8250 mode */
	CHECK(uart8250_read(&u, UART_IIR) == UART_IIR_RLSI,
	      "uart_iir_line_status_has_top_priority");
	uart8250_read(&u, UART_LSR);
	CHECK(uart8250_read(&u, UART_IIR) == UART_IIR_RDI,
	      "uart_iir_received_data_over_thre");
	uart8250_read(&u, UART_RBR);
	CHECK(uart8250_read(&u, UART_IIR) == UART_IIR_THRI,
	      "uart_iir_thre_after_data_read");
	CHECK(!uart8250_irq_line(&u), "uart_irq_line_drops_when_acknowledged");
	uart8250_write(&u, UART_THR, 'o');
	CHECK(uart8250_irq_line(&u), "uart_irq_line_rises_after_transmit");
	uart8250_write(&u, UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
	CHECK(!uart8250_irq_line(&u) && !uart8250_receive(&u, 'n'),
	      "uart_loopback_disconnects_line_and_input");

	/* serial8250_do_startup(): THRE must re-assert when IER.THRI is
	 * written again, else Linux marks the port UART_BUG_THRE. */
	fresh(&u);
	uart8250_write(&u, UART_IER, UART_IER_THRI);
	{
		uint8_t iir1 = uart8250_read(&u, UART_IIR), iir2;

		uart8250_write(&u, UART_IER, 0);
		uart8250_write(&u, UART_IER, UART_IER_THRI);
		iir2 = uart8250_read(&u, UART_IIR);
		CHECK(!(iir1 & UART_IIR_NO_INT) && !(iir2 & UART_IIR_NO_INT),
		      "uart_thre_reasserts_for_linux_startup_test");
	}
	/* Linux's FIFO probe: FCR enable, IIR bits 7:6 = 3 means 16550A. */
	uart8250_write(&u, UART_FCR, UART_FCR_ENABLE);
	CHECK((uart8250_read(&u, UART_IIR) >> 6) == 3, "uart_probe_sees_16550a_fifo");
}
