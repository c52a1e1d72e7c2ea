// SPDX-License-Identifier: GPL-2.0
/*
 * irqfd: an eventfd whose every write raises an MSI in the guest
 * (SVMHV_IRQFD; uapi/svmhv.h has the contract).
 *
 * A device thread of the VMM completes a request and writes its eventfd;
 * the interrupt reaches the guest's local APIC without the thread making
 * an ioctl and without any vCPU stopping -- the other half, with
 * ioeventfd.c, of a device path where neither side waits for the other.
 *
 * Each irqfd sits on its eventfd's wait queue.  The wake-up (any context,
 * under the eventfd's lock) only consumes the count and queues a work
 * item; the work delivers the MSI through the in-kernel APIC, in process
 * context like SVMHV_SIGNAL_MSI.  An eventfd whose file is closed stays
 * registered, harmlessly (its context lives while we hold it), until
 * SVMHV_IRQFD_DEASSIGN or the VM's end takes it off the wait queue, waits
 * for the work, and drops it.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "svmhv_core.h"
#include "svm/svm.h"

#define SVMHV_IRQFD_MAX		1024

struct svmhv_irqfd_entry {
	struct list_head link;		/* vm->irqfds, under vm->lock */
	struct svmhv_vm *vm;
	struct eventfd_ctx *ctx;
	struct svmhv_msi msi;
	wait_queue_entry_t wait;
	poll_table pt;
	struct work_struct inject;
};

static void svmhv_irqfd_inject(struct work_struct *work)
{
	struct svmhv_irqfd_entry *f =
		container_of(work, struct svmhv_irqfd_entry, inject);

	svm_lapic_signal_msi(f->vm, &f->msi);
}

static int svmhv_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			      int sync, void *key)
{
	struct svmhv_irqfd_entry *f =
		container_of(wait, struct svmhv_irqfd_entry, wait);
	__poll_t flags = key_to_poll(key);
	u64 cnt;

	if (flags & EPOLLIN) {
		/* Edge-like: one MSI for the writes seen so far. */
		eventfd_ctx_do_read(f->ctx, &cnt);
		schedule_work(&f->inject);
	}
	return 0;
}

static void svmhv_irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh,
				   poll_table *pt)
{
	struct svmhv_irqfd_entry *f =
		container_of(pt, struct svmhv_irqfd_entry, pt);

	add_wait_queue(wqh, &f->wait);
}

/* Off the wait queue first: after that no new work can be queued. */
static void svmhv_irqfd_free(struct svmhv_irqfd_entry *f)
{
	u64 cnt;

	eventfd_ctx_remove_wait_queue(f->ctx, &f->wait, &cnt);
	cancel_work_sync(&f->inject);
	eventfd_ctx_put(f->ctx);
	kfree(f);
}

static int svmhv_irqfd_assign(struct svmhv_vm *vm, const struct svmhv_irqfd *u)
{
	struct svmhv_irqfd_entry *f, *e;
	unsigned int n = 0;
	struct file *file;
	__poll_t events;
	int ret;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	f->vm = vm;
	f->msi.address = u->msi_address;
	f->msi.data = u->msi_data;
	ret = svm_lapic_msi_valid(&f->msi);
	if (ret)
		goto err_free;
	file = fget(u->fd);
	ret = -EBADF;
	if (!file)
		goto err_free;
	f->ctx = eventfd_ctx_fileget(file);
	if (IS_ERR(f->ctx))
		goto err_fput;
	INIT_WORK(&f->inject, svmhv_irqfd_inject);
	init_waitqueue_func_entry(&f->wait, svmhv_irqfd_wakeup);
	init_poll_funcptr(&f->pt, svmhv_irqfd_queue_proc);

	mutex_lock(&vm->lock);
	list_for_each_entry(e, &vm->irqfds, link) {
		n++;
		if (e->ctx == f->ctx)
			ret = -EEXIST;
	}
	if (ret != -EEXIST)
		ret = n >= SVMHV_IRQFD_MAX ? -ENOSPC : 0;
	if (ret) {
		mutex_unlock(&vm->lock);
		goto err_put;
	}
	list_add_tail(&f->link, &vm->irqfds);
	/* On the wait queue; a count already there raises the MSI now. */
	events = vfs_poll(file, &f->pt);
	if (events & EPOLLIN)
		schedule_work(&f->inject);
	mutex_unlock(&vm->lock);
	fput(file);
	return 0;

err_put:
	eventfd_ctx_put(f->ctx);
err_fput:
	fput(file);
err_free:
	kfree(f);
	return ret;
}

int svmhv_irqfd(struct svmhv_vm *vm, const struct svmhv_irqfd *u)
{
	struct svmhv_irqfd_entry *f, *found = NULL;
	struct eventfd_ctx *ctx;

	if (u->pad || u->reserved[0] || u->reserved[1] ||
	    (u->flags & ~SVMHV_IRQFD_DEASSIGN))
		return -EINVAL;
	if (!READ_ONCE(vm->lapic_enabled))
		return -ENXIO;
	if (!(u->flags & SVMHV_IRQFD_DEASSIGN))
		return svmhv_irqfd_assign(vm, u);

	ctx = eventfd_ctx_fdget(u->fd);
	if (IS_ERR(ctx))
		return -EBADF;
	mutex_lock(&vm->lock);
	list_for_each_entry(f, &vm->irqfds, link)
		if (f->ctx == ctx) {
			found = f;
			list_del(&f->link);
			break;
		}
	mutex_unlock(&vm->lock);
	eventfd_ctx_put(ctx);
	if (!found)
		return -ENOENT;
	svmhv_irqfd_free(found);
	return 0;
}

/* The VM goes away: its vCPUs are gone; the works must be too. */
void svmhv_irqfd_release(struct svmhv_vm *vm)
{
	struct svmhv_irqfd_entry *f, *tmp;

	list_for_each_entry_safe(f, tmp, &vm->irqfds, link) {
		list_del(&f->link);
		svmhv_irqfd_free(f);
	}
}
