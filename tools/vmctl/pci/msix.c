// SPDX-License-Identifier: GPL-2.0
/*
 * MSI-X (see msix.h).  References are to the PCI Local Bus
 * Specification 3.0, 6.8.2 and 6.8.3.
 */
#include <string.h>

#include "msix.h"

static uint16_t control(const struct msix *m)
{
	return pci_get16(m->dev->cfg + m->cap + 2);
}

int msix_init(struct msix *m, struct pci_dev *d, unsigned int nvec,
	      unsigned int bar, uint32_t table_off, uint32_t pba_off,
	      msix_send_fn send, void *opaque)
{
	unsigned int cap;

	if (!nvec || nvec > MSIX_MAX_VECTORS || (table_off | pba_off) & 7)
		return -1;
	cap = pci_dev_add_cap(d, PCI_CAP_ID_MSIX, MSIX_CAP_LEN);
	if (!cap)
		return -1;
	memset(m, 0, sizeof(*m));
	m->dev = d;
	m->cap = cap;
	m->nvec = nvec;
	m->bar = bar;
	m->table_off = table_off;
	m->pba_off = pba_off;
	m->send = send;
	m->opaque = opaque;
	/* 6.8.2.3: table size N-1 (RO); enable and function mask RW. */
	pci_put16(d->cfg + cap + 2, (uint16_t)(nvec - 1));
	d->wmask[cap + 3] = (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL) >> 8;
	/* 6.8.2.4/6.8.2.5: offset with the BIR in bits 2:0 (RO). */
	pci_put32(d->cfg + cap + 4, table_off | bar);
	pci_put32(d->cfg + cap + 8, pba_off | bar);
	msix_reset(m);
	return 0;
}

void msix_reset(struct msix *m)
{
	unsigned int i;

	pci_put16(m->dev->cfg + m->cap + 2, (uint16_t)(m->nvec - 1));
	/* 6.8.2.9: the mask bit of every entry is set at reset. */
	for (i = 0; i < m->nvec; i++)
		m->entry[i] = (struct msix_entry){ .ctrl = MSIX_ENTRY_MASKED };
	m->pending = 0;
}

bool msix_enabled(const struct msix *m)
{
	return control(m) & MSIX_CTRL_ENABLE;
}

bool msix_vector_unmasked(const struct msix *m, unsigned int vec)
{
	return vec < m->nvec && msix_enabled(m) &&
	       !(control(m) & MSIX_CTRL_MASKALL) &&
	       !(m->entry[vec].ctrl & MSIX_ENTRY_MASKED);
}

static void send(struct msix *m, unsigned int vec)
{
	const struct msix_entry *e = &m->entry[vec];

	m->pending &= ~(1ull << vec);
	m->send(m->opaque, vec, (uint64_t)e->addr_hi << 32 | e->addr_lo,
		e->data);
}

bool msix_notify(struct msix *m, unsigned int vec)
{
	if (vec >= m->nvec || !msix_enabled(m))
		return false;
	if (msix_vector_unmasked(m, vec))
		send(m, vec);
	else
		m->pending |= 1ull << vec;	/* 6.8.3.5 */
	return true;
}

/* 6.8.3.5: a pending message goes out once neither mask holds it. */
static void flush(struct msix *m)
{
	unsigned int i;

	for (i = 0; i < m->nvec; i++)
		if ((m->pending >> i & 1) && msix_vector_unmasked(m, i))
			send(m, i);
}

void msix_control_written(struct msix *m)
{
	flush(m);
}

bool msix_claims(const struct msix *m, unsigned int bar, uint64_t off,
		 unsigned int len)
{
	uint64_t tend = m->table_off + (uint64_t)m->nvec * MSIX_ENTRY_SIZE;
	uint64_t pend = m->pba_off + ((m->nvec + 63) / 64) * 8ull;

	if (bar != m->bar)
		return false;
	return (off >= m->table_off && off + len <= tend) ||
	       (off >= m->pba_off && off + len <= pend);
}

static uint32_t *field(struct msix *m, uint64_t off)
{
	struct msix_entry *e = &m->entry[off / MSIX_ENTRY_SIZE];

	switch (off % MSIX_ENTRY_SIZE) {
	case 0:	return &e->addr_lo;
	case 4:	return &e->addr_hi;
	case 8:	return &e->data;
	default: return &e->ctrl;
	}
}

static void table_rw(struct msix *m, uint64_t off, bool is_write,
		     uint32_t *val)
{
	uint32_t *f = field(m, off);

	if (!is_write) {
		*val = *f;
		return;
	}
	if (off % MSIX_ENTRY_SIZE == 12) {
		/* 6.8.2.9: only the mask bit is defined; the rest is
		 * reserved and reads 0. */
		*f = *val & MSIX_ENTRY_MASKED;
		flush(m);
		return;
	}
	/* 6.8.2.6: the address's bits 1:0 are read-only zero. */
	*f = off % MSIX_ENTRY_SIZE == 0 ? *val & ~3u : *val;
}

void msix_bar_rw(struct msix *m, uint64_t off, bool is_write, uint8_t *data,
		 unsigned int len)
{
	unsigned int i;
	uint32_t v;

	if ((len != 4 && len != 8) || off % len) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	if (off >= m->pba_off && off < m->pba_off + ((m->nvec + 63) / 64) * 8ull) {
		/* 6.8.2.10: the PBA is read-only. */
		if (!is_write)
			for (i = 0; i < len; i++)
				data[i] = (uint8_t)(m->pending >>
						    (8 * ((off - m->pba_off) + i)));
		return;
	}
	off -= m->table_off;
	for (i = 0; i < len; i += 4) {
		if (is_write)
			v = pci_get32(data + i);
		table_rw(m, off + i, is_write, &v);
		if (!is_write)
			pci_put32(data + i, v);
	}
}
