// The C half of package paced: a thread that sends datagrams at their
// times, outside Go's scheduler. See paced.go.
#ifndef MANBANG_PACED_H
#define MANBANG_PACED_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>

enum {
	PACED_MAX_DESTS = 64,    // destinations of one slot: one sendmmsg call
	PACED_MAX_DATA = 1500,   // the largest datagram
	PACED_MAX_REPORT = 256,  // the largest report sent after it
};

// paced_slot is one slot: a datagram (and, if report_len > 0, a report
// after it) to n destinations at a time. Go fills it; the thread sends it
// and fills in sent.
typedef struct {
	int64_t at;  // when to send, CLOCK_MONOTONIC nanoseconds
	int32_t n;
	int32_t data_len, report_len;
	struct sockaddr_in to[PACED_MAX_DESTS];
	// For each destination, when the sendmmsg call that sent it the
	// datagram returned (CLOCK_MONOTONIC nanoseconds), or 0 if the
	// kernel refused it.
	int64_t sent[PACED_MAX_DESTS];
	uint8_t data[PACED_MAX_DATA];
	uint8_t report[PACED_MAX_REPORT];
} paced_slot;

// paced is a sending thread and its ring of slots. Go writes tail, wake
// and stop; the thread writes head and lowered. All are accessed
// atomically on both sides.
typedef struct {
	paced_slot *slots;
	uint32_t size;  // a power of two
	uint32_t tail;  // slots handed to the thread
	uint32_t head;  // slots sent
	uint32_t wake;  // futex word: bumped when slots arrive at an empty ring, and on stop
	uint32_t stop;  // send what is left, each slot at its time, then end
	uint32_t lowered;  // times the thread went back to normal priority, behind
	int fd;
	int prio;
	int got_policy;  // what the thread got: 1 SCHED_FIFO, 2 nice, 0 neither
	int rt_errno;    // why not SCHED_FIFO
	int nice_errno;  // why not nice
	pthread_t thread;
	int started;
} paced;

paced *paced_start(int fd, int prio, uint32_t size);
void paced_wake(paced *p);
void paced_join(paced *p);
void paced_free(paced *p);
int64_t paced_now(void);

#endif
