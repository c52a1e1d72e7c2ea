// SPDX-License-Identifier: GPL-2.0
/*
 * The 8259 pair (dev_i8259.c) as Linux's i8259 driver programs it: the
 * ICW1-4 sequence with vector bases 0x30/0x38, IMR read-back (Linux's
 * probe), masking, edge triggering, INTA vectors, priority, specific and
 * non-specific EOI, the cascade on IR2, OCW3 ISR reads, spurious IR7.
 */
#include "../dev_i8259.h"
#include "unit.h"

/* What init_8259A() in arch/x86/kernel/i8259.c writes. */
static void linux_init(struct i8259 *p)
{
	i8259_init(p);
	i8259_write(p, 0, 1, 0xff);
	i8259_write(p, 0, 0, 0x11);	/* ICW1: edge, cascade, ICW4 */
	i8259_write(p, 0, 1, 0x30);	/* ICW2: IRQ0 -> vector 0x30 */
	i8259_write(p, 0, 1, 0x04);	/* ICW3: slave on IR2 */
	i8259_write(p, 0, 1, 0x01);	/* ICW4: 8086 mode, normal EOI */
	i8259_write(p, 1, 0, 0x11);
	i8259_write(p, 1, 1, 0x38);
	i8259_write(p, 1, 1, 0x02);
	i8259_write(p, 1, 1, 0x01);
	i8259_write(p, 0, 1, 0xfb);	/* all masked but the cascade */
	i8259_write(p, 1, 1, 0xff);
}

void unit_i8259(void)
{
	struct i8259 p;

	i8259_init(&p);
	i8259_write(&p, 0, 1, 0xfb);
	CHECK(i8259_read(&p, 0, 1) == 0xfb, "pic_imr_reads_back_for_linux_probe");
	linux_init(&p);
	CHECK(i8259_read(&p, 0, 1) == 0xfb && i8259_read(&p, 1, 1) == 0xff,
	      "pic_init_sequence_ends_with_imr_as_written");
	CHECK(!i8259_has_interrupt(&p), "pic_no_interrupt_after_init");

	i8259_pulse_irq(&p, 0);
	CHECK(!i8259_has_interrupt(&p), "pic_masked_irq0_does_not_interrupt");
	CHECK(i8259_read(&p, 0, 0) & 0x01, "pic_masked_request_still_in_irr");
	i8259_write(&p, 0, 1, 0xfa);	/* unmask IRQ0 */
	CHECK(i8259_has_interrupt(&p), "pic_unmasking_releases_latched_edge");
	CHECK(i8259_ack(&p) == 0x30, "pic_inta_returns_icw2_base_plus_irq");
	CHECK(!i8259_has_interrupt(&p), "pic_inta_clears_irr_edge_request");
	i8259_write(&p, 0, 0, 0x0b);	/* OCW3: read ISR */
	CHECK(i8259_read(&p, 0, 0) == 0x01, "pic_ocw3_reads_isr_after_inta");
	i8259_write(&p, 0, 0, 0x0a);	/* OCW3: read IRR */
	CHECK(i8259_read(&p, 0, 0) == 0x00, "pic_ocw3_reads_irr_again");

	/* A second edge while in service waits for EOI (same priority). */
	i8259_pulse_irq(&p, 0);
	CHECK(!i8259_has_interrupt(&p), "pic_in_service_blocks_same_level");
	i8259_write(&p, 0, 0, 0x60);	/* specific EOI IR0 */
	CHECK(i8259_has_interrupt(&p), "pic_specific_eoi_releases_next_request");
	CHECK(i8259_ack(&p) == 0x30, "pic_second_irq0_vector");
	i8259_write(&p, 0, 0, 0x20);	/* non-specific EOI */
	i8259_write(&p, 0, 0, 0x0b);
	CHECK(i8259_read(&p, 0, 0) == 0, "pic_nonspecific_eoi_clears_isr");

	/* Edge: a level held high makes one request only. */
	i8259_set_irq(&p, 0, true);
	i8259_ack(&p);
	i8259_write(&p, 0, 0, 0x20);
	i8259_set_irq(&p, 0, true);
	CHECK(!i8259_has_interrupt(&p), "pic_edge_mode_needs_a_new_rising_edge");
	i8259_set_irq(&p, 0, false);

	/* Priority: IR1 beats IR3, and IR1 in service masks IR3 only
	 * until EOI; IR0 preempts IR1. */
	i8259_write(&p, 0, 1, 0x00);
	i8259_pulse_irq(&p, 3);
	i8259_pulse_irq(&p, 1);
	CHECK(i8259_ack(&p) == 0x31, "pic_lower_ir_number_has_priority");
	CHECK(!i8259_has_interrupt(&p), "pic_lower_priority_waits_for_eoi");
	i8259_pulse_irq(&p, 0);
	CHECK(i8259_has_interrupt(&p) && i8259_ack(&p) == 0x30,
	      "pic_higher_priority_preempts_in_service");
	i8259_write(&p, 0, 0, 0x20);	/* EOI goes to IR0, highest */
	i8259_write(&p, 0, 0, 0x0b);
	CHECK(i8259_read(&p, 0, 0) == 0x02, "pic_nonspecific_eoi_ends_highest_isr");
	i8259_write(&p, 0, 0, 0x20);
	CHECK(i8259_ack(&p) == 0x33, "pic_pending_lower_priority_after_eoi");
	i8259_write(&p, 0, 0, 0x63);

	/* Cascade: slave IRQ 12 arrives through master IR2. */
	linux_init(&p);
	i8259_write(&p, 1, 1, 0xef);	/* unmask IRQ12 on the slave */
	i8259_pulse_irq(&p, 12);
	CHECK(i8259_has_interrupt(&p), "pic_slave_irq_reaches_cpu_via_cascade");
	CHECK(i8259_irq_unmasked(&p, 12), "pic_irq12_unmasked_with_cascade_open");
	CHECK(i8259_ack(&p) == 0x3c, "pic_slave_vector_from_slave_icw2");
	i8259_write(&p, 0, 0, 0x0b);
	i8259_write(&p, 1, 0, 0x0b);
	CHECK(i8259_read(&p, 0, 0) == 0x04 && i8259_read(&p, 1, 0) == 0x10,
	      "pic_cascade_sets_isr_on_both_chips");
	i8259_pulse_irq(&p, 12);
	i8259_write(&p, 1, 0, 0x64);	/* specific EOI slave IR4 */
	CHECK(!i8259_has_interrupt(&p), "pic_master_ir2_in_service_blocks_slave");
	i8259_write(&p, 0, 0, 0x62);	/* specific EOI master IR2 */
	CHECK(i8259_has_interrupt(&p) && i8259_ack(&p) == 0x3c,
	      "pic_second_slave_irq_after_both_eois");
	i8259_write(&p, 1, 0, 0x64);
	i8259_write(&p, 0, 0, 0x62);
	i8259_write(&p, 0, 1, 0xff);
	i8259_pulse_irq(&p, 12);
	CHECK(!i8259_has_interrupt(&p) && !i8259_irq_unmasked(&p, 12),
	      "pic_masked_cascade_blocks_slave");

	/* Spurious: INTA with nothing pending gives IR7's vector. */
	linux_init(&p);
	CHECK(i8259_ack(&p) == 0x37, "pic_spurious_inta_returns_ir7_vector");
	i8259_write(&p, 0, 0, 0x0b);
	CHECK(i8259_read(&p, 0, 0) == 0, "pic_spurious_sets_no_isr_bit");

	/* Auto-EOI: no ISR bit, the next request goes through at once. */
	i8259_init(&p);
	i8259_write(&p, 0, 0, 0x11);
	i8259_write(&p, 0, 1, 0x20);
	i8259_write(&p, 0, 1, 0x04);
	i8259_write(&p, 0, 1, 0x03);	/* ICW4: AEOI */
	i8259_pulse_irq(&p, 1);
	CHECK(i8259_ack(&p) == 0x21, "pic_aeoi_vector");
	i8259_pulse_irq(&p, 1);
	CHECK(i8259_has_interrupt(&p), "pic_aeoi_leaves_no_in_service_bit");

	/* Level mode (ELCR): the request follows the line. */
	linux_init(&p);
	i8259_elcr_write(&p, 1, 0x20);	/* IRQ13 is always edge on PIIX */
	CHECK(i8259_elcr_read(&p, 1) == 0x00, "pic_elcr_fixed_edge_bits_stay_zero");
	i8259_elcr_write(&p, 1, 0x08);	/* IRQ11 level */
	i8259_write(&p, 1, 1, 0xf7);
	i8259_set_irq(&p, 11, true);
	CHECK(i8259_ack(&p) == 0x3b, "pic_level_irq_vector");
	i8259_write(&p, 1, 0, 0x20);
	i8259_write(&p, 0, 0, 0x20);
	CHECK(i8259_has_interrupt(&p), "pic_level_irq_requests_again_while_high");
	i8259_set_irq(&p, 11, false);
	CHECK(!(i8259_read(&p, 1, 0) & 0x08), "pic_level_irq_drops_with_line");
	/* The master's edge-triggered IR2 latched the request: INTA now
	 * finds nothing on the slave and gets its IR7 vector (8259A data
	 * sheet: a request gone before INTA is a spurious IR7). */
	CHECK(i8259_has_interrupt(&p) && i8259_ack(&p) == 0x3f,
	      "pic_request_gone_before_inta_is_spurious_ir7_of_slave");

	/* Poll mode: OCW3 P, the read acknowledges. */
	linux_init(&p);
	i8259_write(&p, 0, 1, 0xf7);
	i8259_pulse_irq(&p, 3);
	i8259_write(&p, 0, 0, 0x0c);
	CHECK(i8259_read(&p, 0, 0) == 0x83, "pic_poll_read_returns_irq_and_flag");
	CHECK(!i8259_has_interrupt(&p), "pic_poll_read_acknowledges");
}
