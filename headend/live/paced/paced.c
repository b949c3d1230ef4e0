//go:build linux && cgo

#define _GNU_SOURCE  // sendmmsg, SCHED_RESET_ON_FORK
#include "paced.h"

#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// A thread at real-time priority that has not slept for this long is
// behind its slots: it goes back to normal priority until it sleeps
// again, so that it cannot keep a core from everything else.
#define MAX_BUSY_NS (50 * 1000000LL)
// The nice value asked for where SCHED_FIFO is not permitted.
#define FALLBACK_NICE (-10)

int64_t paced_now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint32_t load(uint32_t *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static void store(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }

// futex_wait sleeps while *word == val, until the absolute monotonic time
// at (0: no limit), a wake or a signal.
static void futex_wait(uint32_t *word, uint32_t val, int64_t at) {
	struct timespec ts, *tp = NULL;
	if (at > 0) {
		ts.tv_sec = at / 1000000000LL;
		ts.tv_nsec = at % 1000000000LL;
		tp = &ts;
	}
	syscall(SYS_futex, word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, val, tp, NULL, FUTEX_BITSET_MATCH_ANY);
}

void paced_wake(paced *p) {
	__atomic_add_fetch(&p->wake, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &p->wake, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
}

// raise gives the calling thread SCHED_FIFO p->prio, or else nice
// FALLBACK_NICE, and says which in p->got_policy.
static void raise_priority(paced *p) {
	prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
	p->got_policy = 0;
	if (p->prio <= 0)
		return;
	struct sched_param sp = {.sched_priority = p->prio > 99 ? 99 : p->prio};
	if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) == 0) {
		p->got_policy = 1;
		return;
	}
	p->rt_errno = errno;
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), FALLBACK_NICE) == 0) {
		p->got_policy = 2;
		return;
	}
	p->nice_errno = errno;
}

static void lower_priority(void) {
	struct sched_param sp = {.sched_priority = 0};
	sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &sp);
}

// send_all sends the datagram of iov to the n destinations of h in
// sendmmsg calls, never waiting: a destination the kernel refuses is
// skipped, and when the socket's buffer is full (EAGAIN, ENOBUFS) the
// rest are dropped. If sent is not NULL, it gets, for each destination,
// when the call that sent it returned, or 0.
static void send_all(int fd, struct mmsghdr *h, int n, int64_t *sent) {
	for (int i = 0; i < n;) {
		int r = sendmmsg(fd, h + i, n - i, MSG_DONTWAIT);
		if (r > 0) {
			int64_t t = paced_now();
			if (sent)
				for (int k = 0; k < r; k++)
					sent[i + k] = t;
			i += r;
			continue;
		}
		if (r == 0 || errno == EAGAIN || errno == ENOBUFS || errno == EBADF) {
			if (sent)
				memset(sent + i, 0, (size_t)(n - i) * sizeof sent[0]);
			return;
		}
		if (errno == EINTR)
			continue;
		if (sent)
			sent[i] = 0;
		i++;
	}
}

// send_slot sends s: its datagram to each destination, then its report.
static void send_slot(int fd, paced_slot *s) {
	struct mmsghdr h[PACED_MAX_DESTS];
	struct iovec iov = {.iov_base = s->data, .iov_len = (size_t)s->data_len};
	int n = s->n;
	memset(h, 0, sizeof h[0] * (size_t)n);
	for (int i = 0; i < n; i++) {
		h[i].msg_hdr.msg_name = &s->to[i];
		h[i].msg_hdr.msg_namelen = sizeof s->to[i];
		h[i].msg_hdr.msg_iov = &iov;
		h[i].msg_hdr.msg_iovlen = 1;
	}
	send_all(fd, h, n, s->sent);
	if (s->report_len > 0) {
		iov.iov_base = s->report;
		iov.iov_len = (size_t)s->report_len;
		send_all(fd, h, n, NULL);
	}
}

static void *run(void *arg) {
	paced *p = arg;
	prctl(PR_SET_NAME, "live-paced", 0, 0, 0);  // as top -H and ps -L show it
	raise_priority(p);
	store((uint32_t *)&p->started, 1);
	syscall(SYS_futex, &p->started, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
	int realtime = p->got_policy == 1, lowered = 0;
	int64_t slept = paced_now();  // the last wait that was not already over
	for (;;) {
		uint32_t head = load(&p->head), w = load(&p->wake);
		uint32_t tail = load(&p->tail), stop = load(&p->stop);
		int waited = 0;
		if (head == tail) {
			if (stop)
				return NULL;
			futex_wait(&p->wake, w, 0);
			waited = 1;
		} else {
			paced_slot *s = &p->slots[head & (p->size - 1)];
			if (s->at > paced_now()) {
				// New slots are never earlier than this one: only a
				// stop cuts the wait short, and then the loop sleeps
				// again, until the slot's time.
				futex_wait(&p->wake, w, s->at);
				waited = 1;
			} else {
				send_slot(p->fd, s);
				store(&p->head, head + 1);
			}
		}
		int64_t now = paced_now();
		if (waited) {
			slept = now;
			if (lowered) {
				lowered = 0;
				raise_priority(p);
			}
		} else if (realtime && !lowered && now - slept > MAX_BUSY_NS) {
			lowered = 1;
			lower_priority();
			__atomic_add_fetch(&p->lowered, 1, __ATOMIC_SEQ_CST);
		}
	}
}

paced *paced_start(int fd, int prio, uint32_t size) {
	paced *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->slots = calloc(size, sizeof p->slots[0]);
	if (!p->slots) {
		free(p);
		return NULL;
	}
	p->size = size;
	p->fd = fd;
	p->prio = prio;
	if (pthread_create(&p->thread, NULL, run, p) != 0) {
		free(p->slots);
		free(p);
		return NULL;
	}
	while (!load((uint32_t *)&p->started))
		futex_wait((uint32_t *)&p->started, 0, 0);
	return p;
}

void paced_join(paced *p) {
	store(&p->stop, 1);
	paced_wake(p);
	pthread_join(p->thread, NULL);
}

void paced_free(paced *p) {
	free(p->slots);
	free(p);
}
