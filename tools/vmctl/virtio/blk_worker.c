// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk worker pool: vblk_submit() appends the request to a FIFO and
 * returns (the caller is a vCPU or notification thread and must not wait
 * for the disk); VBLK_WORKERS threads take requests off it and execute
 * them, several at once.  The device may complete requests in any order
 * (virtio 1.2, 5.2: "serviced (probably out of order)"), and the queue
 * index is not needed to execute them: all queues share the pool.
 */
#include <signal.h>
#include <stdlib.h>

#include "blk_int.h"

static void *worker(void *arg)
{
	struct vblk *vb = arg;
	struct vblk_job *job;

	for (;;) {
		pthread_mutex_lock(&vb->lock);
		while (!vb->head && !vb->stopping)
			pthread_cond_wait(&vb->cond, &vb->lock);
		job = vb->head;
		if (!job) {	/* stopping, and nothing left to do */
			pthread_mutex_unlock(&vb->lock);
			return NULL;
		}
		vb->head = job->next;
		if (!vb->head)
			vb->tail = &vb->head;
		pthread_mutex_unlock(&vb->lock);

		vblk_handle(vb, job->req);
		free(job);
	}
}

void vblk_submit(struct vblk *vb, unsigned int queue, struct virtio_req *req)
{
	struct vblk_job *job;

	/* No such queue (5.2.2): a transport bug, but never a silent drop. */
	if (queue >= vb->num_queues) {
		vblk_reject(req);
		return;
	}
	job = malloc(sizeof(*job));
	if (!job) {
		vblk_reject(req);
		return;
	}
	job->req = req;
	job->next = NULL;
	pthread_mutex_lock(&vb->lock);
	if (vb->stopping) {
		pthread_mutex_unlock(&vb->lock);
		free(job);
		vblk_reject(req);
		return;
	}
	*vb->tail = job;
	vb->tail = &job->next;
	pthread_cond_signal(&vb->cond);
	pthread_mutex_unlock(&vb->lock);
}

/*
 * The workers block every signal: those meant for the process (SIGINT,
 * SIGTERM) or for a vCPU thread's kick then never land on a worker and
 * interrupt its I/O.
 */
int vblk_workers_start(struct vblk *vb)
{
	sigset_t all, old;
	unsigned int i;

	vb->head = NULL;
	vb->tail = &vb->head;
	vb->stopping = false;
	if (pthread_mutex_init(&vb->lock, NULL))
		return -1;
	if (pthread_cond_init(&vb->cond, NULL)) {
		pthread_mutex_destroy(&vb->lock);
		return -1;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < VBLK_WORKERS; i++) {
		if (pthread_create(&vb->workers[i], NULL, worker, vb))
			break;
		vb->nworkers++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!vb->nworkers) {
		pthread_cond_destroy(&vb->cond);
		pthread_mutex_destroy(&vb->lock);
		return -1;
	}
	return 0;
}

/* Let the workers drain the FIFO, then join them. */
void vblk_workers_stop(struct vblk *vb)
{
	unsigned int i;

	pthread_mutex_lock(&vb->lock);
	vb->stopping = true;
	pthread_cond_broadcast(&vb->cond);
	pthread_mutex_unlock(&vb->lock);
	for (i = 0; i < vb->nworkers; i++)
		pthread_join(vb->workers[i], NULL);
	pthread_cond_destroy(&vb->cond);
	pthread_mutex_destroy(&vb->lock);
}
