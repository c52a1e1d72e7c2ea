// SPDX-License-Identifier: GPL-2.0
/*
 * ioeventfd: guest writes that signal an eventfd without leaving the
 * kernel (SVMHV_IOEVENTFD; uapi/svmhv.h has the contract).
 *
 * A paravirtual device's doorbell -- the virtio queue notify (virtio 1.2,
 * 4.1.4.4) -- is a write whose only effect is "look at the queue".  Served
 * as an exit to the VMM it stops the vCPU until the VMM's thread has run;
 * here the exit handler adds 1 to the device thread's eventfd and resumes
 * the guest at once, so the vCPU and the device thread never wait for
 * each other.
 *
 * The registrations are a list per VM, changed under vm->lock and read
 * under RCU from the exit handlers (svm/io.c for OUT, svm/npf.c for MMIO
 * stores), which look only when the list is not empty.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/rculist.h>
#include <linux/slab.h>

#include "svmhv_core.h"

#define SVMHV_IOEVENTFD_MAX	1000

struct svmhv_ioeventfd_entry {
	struct list_head link;
	struct rcu_head rcu;
	struct eventfd_ctx *ctx;
	u64 addr;
	u64 datamatch;
	u32 len;
	bool pio;
	bool wildcard;			/* any value */
};

/*
 * Two registrations answer the same writes: same space, address and
 * length, and either a wildcard or the same value (KVM's rule).
 */
static bool svmhv_ioeventfd_collide(const struct svmhv_ioeventfd_entry *a,
				    const struct svmhv_ioeventfd_entry *b)
{
	return a->pio == b->pio && a->addr == b->addr && a->len == b->len &&
	       (a->wildcard || b->wildcard || a->datamatch == b->datamatch);
}

static int svmhv_ioeventfd_check(const struct svmhv_ioeventfd *u)
{
	bool pio = u->flags & SVMHV_IOEVENTFD_PIO;

	if (u->pad || u->reserved[0] || u->reserved[1] ||
	    (u->flags & ~(SVMHV_IOEVENTFD_PIO | SVMHV_IOEVENTFD_DATAMATCH |
			  SVMHV_IOEVENTFD_DEASSIGN)))
		return -EINVAL;
	if (u->len != 1 && u->len != 2 && u->len != 4 && (pio || u->len != 8))
		return -EINVAL;
	if (pio && u->addr > 0x10000 - u->len)
		return -EINVAL;
	if (!pio && u->addr + u->len < u->addr)
		return -EINVAL;
	/* A datamatch wider than the access could never match. */
	if ((u->flags & SVMHV_IOEVENTFD_DATAMATCH) && u->len < 8 &&
	    (u->datamatch >> (8 * u->len)))
		return -EINVAL;
	return 0;
}

static void svmhv_ioeventfd_free_rcu(struct rcu_head *rcu)
{
	struct svmhv_ioeventfd_entry *e =
		container_of(rcu, struct svmhv_ioeventfd_entry, rcu);

	eventfd_ctx_put(e->ctx);
	kfree(e);
}

int svmhv_ioeventfd(struct svmhv_vm *vm, const struct svmhv_ioeventfd *u)
{
	struct svmhv_ioeventfd_entry key, *e, *found = NULL;
	struct eventfd_ctx *ctx;
	unsigned int n = 0;
	int ret;

	ret = svmhv_ioeventfd_check(u);
	if (ret)
		return ret;
	ctx = eventfd_ctx_fdget(u->fd);
	if (IS_ERR(ctx))
		return -EBADF;
	key = (struct svmhv_ioeventfd_entry){
		.ctx = ctx, .addr = u->addr, .len = u->len,
		.pio = u->flags & SVMHV_IOEVENTFD_PIO,
		.wildcard = !(u->flags & SVMHV_IOEVENTFD_DATAMATCH),
		.datamatch = (u->flags & SVMHV_IOEVENTFD_DATAMATCH) ?
			     u->datamatch : 0,
	};

	mutex_lock(&vm->lock);
	list_for_each_entry(e, &vm->ioeventfds, link) {
		n++;
		if (u->flags & SVMHV_IOEVENTFD_DEASSIGN) {
			if (e->ctx == ctx && e->pio == key.pio &&
			    e->addr == key.addr && e->len == key.len &&
			    e->wildcard == key.wildcard &&
			    e->datamatch == key.datamatch)
				found = e;
		} else if (svmhv_ioeventfd_collide(e, &key)) {
			found = e;
		}
	}
	if (u->flags & SVMHV_IOEVENTFD_DEASSIGN) {
		ret = -ENOENT;
		if (found) {
			list_del_rcu(&found->link);
			call_rcu(&found->rcu, svmhv_ioeventfd_free_rcu);
			ret = 0;
		}
	} else if (found) {
		ret = -EEXIST;
	} else if (n >= SVMHV_IOEVENTFD_MAX) {
		ret = -ENOSPC;
	} else {
		e = kmalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
		ret = -ENOMEM;
		if (e) {
			*e = key;
			list_add_tail_rcu(&e->link, &vm->ioeventfds);
			ctx = NULL;	/* the entry holds the reference now */
			ret = 0;
		}
	}
	mutex_unlock(&vm->lock);
	if (ctx)
		eventfd_ctx_put(ctx);
	return ret;
}

/*
 * A guest write of len bytes of val at addr (a port if pio): true if an
 * ioeventfd took it (the eventfd is signalled; the write is complete).
 */
bool svmhv_ioeventfd_write(struct svmhv_vm *vm, bool pio, u64 addr,
			   u32 len, u64 val)
{
	struct svmhv_ioeventfd_entry *e;
	bool hit = false;

	rcu_read_lock();
	list_for_each_entry_rcu(e, &vm->ioeventfds, link) {
		if (e->pio != pio || e->addr != addr || e->len != len)
			continue;
		if (!e->wildcard && e->datamatch != val)
			continue;
		svmhv_eventfd_signal(e->ctx);
		hit = true;
		break;
	}
	rcu_read_unlock();
	return hit;
}

/* The VM goes away: no vCPU runs, nobody else holds the list. */
void svmhv_ioeventfd_release(struct svmhv_vm *vm)
{
	struct svmhv_ioeventfd_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, &vm->ioeventfds, link) {
		list_del(&e->link);
		eventfd_ctx_put(e->ctx);
		kfree(e);
	}
}
