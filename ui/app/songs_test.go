package app

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/manbang/manbang/ui/library"
	"github.com/manbang/manbang/ui/state"
)

func folderOf(n int) []library.Entry {
	es := make([]library.Entry, n)
	for i := range es {
		es[i] = library.Entry{Name: strconv.Itoa(i), Kind: library.Music}
	}
	return es
}

// played returns the folder indices of the songs a queue plays, the one
// playing first, until it stops or max have played.
func played(q *songQueue, max int) []int {
	got := []int{q.current()}
	for len(got) < max && q.next() {
		got = append(got, q.current())
	}
	return got
}

func TestSongQueueInOrder(t *testing.T) {
	cases := []struct {
		name   string
		n, at  int
		repeat string
		want   []int
	}{
		{"off stops after the last", 4, 1, state.RepeatOff, []int{1, 2, 3}},
		{"all goes round", 3, 1, state.RepeatAll, []int{1, 2, 0, 1, 2, 0}},
		{"one replays the song", 3, 2, state.RepeatOne, []int{2, 2, 2, 2, 2, 2}},
		{"one song off", 1, 0, state.RepeatOff, []int{0}},
	}
	for _, c := range cases {
		q := newSongQueue(folderOf(c.n), c.at, false, c.repeat, rand.New(rand.NewPCG(1, 2)))
		if got := played(q, 6); !slices.Equal(got, c.want) {
			t.Errorf("%s: played %v, want %v", c.name, got, c.want)
		}
	}
}

func TestSongQueueShuffle(t *testing.T) {
	const n = 9
	inOrder := 0
	for seed := range uint64(20) {
		q := newSongQueue(folderOf(n), 4, true, state.RepeatAll, rand.New(rand.NewPCG(seed, 7)))
		got := played(q, 3*n)
		if got[0] != 4 {
			t.Fatalf("seed %d: starts with %d, not the song chosen", seed, got[0])
		}
		for round := 0; round < 3; round++ {
			r := slices.Clone(got[round*n : (round+1)*n])
			slices.Sort(r)
			if !slices.Equal(r, []int{0, 1, 2, 3, 4, 5, 6, 7, 8}) {
				t.Fatalf("seed %d: round %d plays %v, not every song once", seed, round, got[round*n:(round+1)*n])
			}
			if round > 0 && got[round*n] == got[round*n-1] {
				t.Errorf("seed %d: song %d twice in a row going round", seed, got[round*n])
			}
		}
		if slices.Equal(got[:n], []int{4, 5, 6, 7, 8, 0, 1, 2, 3}) {
			inOrder++
		}
	}
	if inOrder > 1 {
		t.Errorf("%d of 20 shuffles play the folder's order", inOrder)
	}
	// Shuffle off mid-way: the folder's order from the song playing.
	q := newSongQueue(folderOf(5), 0, true, state.RepeatOff, rand.New(rand.NewPCG(3, 3)))
	q.next()
	at := q.current()
	q.setShuffle(false)
	if got := played(q, 10); got[0] != at || len(got) != 5-at {
		t.Errorf("shuffle off at %d: plays %v, want %d to the last", at, got, at)
	}
	// Shuffle off, stopping after the last of the random order.
	q = newSongQueue(folderOf(5), 2, true, state.RepeatOff, rand.New(rand.NewPCG(5, 5)))
	if got := played(q, 10); len(got) != 5 {
		t.Errorf("shuffled with repeat off: plays %v, want the 5 songs once", got)
	}
}
