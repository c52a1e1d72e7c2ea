// SPDX-License-Identifier: GPL-2.0
/*
 * Register behaviour of the 8250 model (dev_uart8250.c) as a guest driver
 * sees it: THR output reaches the callback in order, LSR always reports an
 * empty transmitter, DLAB banks the divisor latch over THR/IER, the
 * scratch register holds a byte, IIR reports the THRE source and FIFO
 * state, loopback routes THR to RBR and MCR to MSR.
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
}
