package app

import (
	"math/rand/v2"

	"github.com/manbang/manbang/ui/library"
	"github.com/manbang/manbang/ui/state"
)

// songQueue is the order a folder's songs play in. In order it is the
// folder's; shuffled, a random order that starts at the song playing and
// holds every song once, drawn again when it goes round.
type songQueue struct {
	songs   []library.Entry
	order   []int // indices of songs, in the order they play
	pos     int   // of order: the song playing
	shuffle bool
	repeat  string // state.Repeat*
	rnd     *rand.Rand
}

// newSongQueue returns the queue of a folder's songs playing songs[i].
func newSongQueue(songs []library.Entry, i int, shuffle bool, repeat string, rnd *rand.Rand) *songQueue {
	q := &songQueue{songs: songs, repeat: repeat, rnd: rnd}
	q.order = make([]int, len(songs))
	for k := range q.order {
		q.order[k] = k
	}
	q.pos = i
	q.setShuffle(shuffle)
	return q
}

// current returns the index in the folder of the song playing.
func (q *songQueue) current() int { return q.order[q.pos] }

// setShuffle shuffles the songs after the one playing, every one of the
// folder once, or puts them back in the folder's order.
func (q *songQueue) setShuffle(on bool) {
	cur := q.current()
	q.shuffle = on
	for k := range q.order {
		q.order[k] = k
	}
	if !on {
		q.pos = cur
		return
	}
	q.order[0], q.order[cur] = cur, 0
	q.shuffleFrom(1)
	q.pos = 0
}

func (q *songQueue) shuffleFrom(k int) {
	rest := q.order[k:]
	q.rnd.Shuffle(len(rest), func(a, b int) { rest[a], rest[b] = rest[b], rest[a] })
}

// next moves to the song that plays when the current one ends, and
// reports whether one does: the same with repeat one, the first again
// after the last with repeat all (a new random order when shuffled, not
// starting with the song just heard), none after the last with repeat
// off.
func (q *songQueue) next() bool {
	switch {
	case q.repeat == state.RepeatOne:
		return true
	case q.pos+1 < len(q.order):
		q.pos++
		return true
	case q.repeat != state.RepeatAll:
		return false
	}
	last := q.current()
	q.pos = 0
	if q.shuffle {
		q.shuffleFrom(0)
		if len(q.order) > 1 && q.order[0] == last {
			q.order[0], q.order[len(q.order)-1] = q.order[len(q.order)-1], q.order[0]
		}
	}
	return true
}
