// SPDX-License-Identifier: GPL-2.0
/*
 * Copying, filling and walking byte ranges of iovec arrays (iov_cursor.h).
 */
#include <stdint.h>
#include <string.h>

#include "iov_cursor.h"

size_t iov_total(const struct iovec *iov, unsigned int n)
{
	size_t sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (iov[i].iov_len > SIZE_MAX - sum)
			return SIZE_MAX;
		sum += iov[i].iov_len;
	}
	return sum;
}

void iov_cursor_init(struct iov_cursor *c, const struct iovec *iov,
		     unsigned int n, size_t skip, size_t len)
{
	c->iov = iov;
	c->n = n;
	c->i = 0;
	c->off = 0;
	c->left = 0;
	/* Skip whole iovecs, then into the one the window starts in. */
	while (c->i < n && skip >= iov[c->i].iov_len) {
		skip -= iov[c->i].iov_len;
		c->i++;
	}
	if (c->i == n)
		return;
	c->off = skip;
	c->left = len;
}

unsigned int iov_cursor_fill(const struct iov_cursor *c, struct iovec *out,
			     unsigned int max)
{
	size_t left = c->left, off = c->off, piece;
	unsigned int i = c->i, k = 0;

	while (left && i < c->n && k < max) {
		piece = c->iov[i].iov_len - off;
		if (piece > left)
			piece = left;
		if (piece) {
			out[k].iov_base = (char *)c->iov[i].iov_base + off;
			out[k].iov_len = piece;
			k++;
			left -= piece;
		}
		off = 0;
		i++;
	}
	return k;
}

void iov_cursor_advance(struct iov_cursor *c, size_t bytes)
{
	size_t piece;

	if (bytes > c->left)
		bytes = c->left;
	while (bytes && c->i < c->n) {
		piece = c->iov[c->i].iov_len - c->off;
		if (piece > bytes) {
			c->off += bytes;
			c->left -= bytes;
			return;
		}
		bytes -= piece;
		c->left -= piece;
		c->off = 0;
		c->i++;
	}
	/* Past the last iovec nothing is left, whatever len said. */
	if (c->i == c->n)
		c->left = 0;
}

/* Apply @op to each piece of the window; returns the bytes covered. */
static size_t iov_walk(const struct iovec *iov, unsigned int n, size_t skip,
		       size_t len, void (*op)(void *iov_base, size_t piece,
					      size_t done, void *arg),
		       void *arg)
{
	struct iov_cursor c;
	struct iovec piece;
	size_t done = 0;

	iov_cursor_init(&c, iov, n, skip, len);
	while (iov_cursor_fill(&c, &piece, 1)) {
		op(piece.iov_base, piece.iov_len, done, arg);
		done += piece.iov_len;
		iov_cursor_advance(&c, piece.iov_len);
	}
	return done;
}

static void op_to_buf(void *base, size_t piece, size_t done, void *arg)
{
	memcpy((char *)arg + done, base, piece);
}

static void op_from_buf(void *base, size_t piece, size_t done, void *arg)
{
	memcpy(base, (const char *)arg + done, piece);
}

static void op_fill(void *base, size_t piece, size_t done, void *arg)
{
	(void)done;
	memset(base, *(const int *)arg, piece);
}

size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t skip,
		  void *buf, size_t len)
{
	return iov_walk(iov, n, skip, len, op_to_buf, buf);
}

size_t iov_from_buf(const struct iovec *iov, unsigned int n, size_t skip,
		    const void *buf, size_t len)
{
	return iov_walk(iov, n, skip, len, op_from_buf, (void *)buf);
}

size_t iov_fill(const struct iovec *iov, unsigned int n, size_t skip,
		int byte, size_t len)
{
	return iov_walk(iov, n, skip, len, op_fill, &byte);
}
