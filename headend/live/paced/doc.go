// Package paced sends datagrams at their times from a thread of its own,
// outside Go's scheduler.
//
// A live channel's fan-out must leave on time to within a millisecond.
// A goroutine cannot promise that, even locked to an OS thread at
// real-time priority: Go's scheduler preempts a goroutine that has run
// for 10ms without being rescheduled, and a locked one then waits for
// another thread to hand it back its processor, which, when the other
// cores are busy, takes 1-3ms. So the channel's goroutine prepares each
// slot of a fan-out (a datagram and its destinations) some milliseconds
// ahead and hands it to a Sender, whose C thread, at real-time priority
// where permitted, sleeps until the slot's time, sends it with one
// sendmmsg call and notes when each destination's datagram left.
//
// Slots are taken and sent in order, each no earlier than the one before.
//
// It needs cgo on Linux; elsewhere the package is empty, and package live
// paces from its channels' goroutines.
package paced
