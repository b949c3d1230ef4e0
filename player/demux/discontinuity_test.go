package demux

import (
	"bytes"
	"io"
	"testing"

	"github.com/manbang/manbang/player/media"
)

// breaks is a Discontinuities at fixed input offsets.
type breaks []int64

func (b breaks) DiscontinuityBetween(from, to int64) bool {
	for _, off := range b {
		if off >= from && off < to {
			return true
		}
	}
	return false
}

// Two clips whose timestamps follow on smoothly, joined as an HLS reader
// would join segments across EXT-X-DISCONTINUITY: only the break the input
// reports marks packets, one per stream, and the counter jump at the join
// is not an error.
func TestTSInputDiscontinuity(t *testing.T) {
	first := readFile(t, h264MP3(t))
	second := readFile(t, fixture(t, "h264-mp3-next", append(inputs(1), "-c:v", "libx264", "-g", "25", "-c:a", "libmp3lame",
		"-output_ts_offset", "2")...))
	joined := append(append([]byte(nil), first...), second...)
	tests := []struct {
		name     string
		breaks   breaks
		wantDisc int
	}{
		{"no breaks reported", nil, 0},
		{"a break at the join", breaks{int64(len(first))}, 2},
		{"a break at the start", breaks{0}, 2},
		{"breaks at the start and the join", breaks{0, int64(len(first))}, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := NewTS(t.Context(), bytes.NewReader(joined))
			if tc.breaks != nil {
				ts.SetDiscontinuities(tc.breaks)
			}
			var pkts []*media.Packet
			for {
				p, err := ts.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				pkts = append(pkts, p)
			}
			disc := map[uint16][]int{}
			for pid, ps := range byStream(pkts) {
				for i, p := range ps {
					if p.Discontinuity {
						disc[pid] = append(disc[pid], i)
					}
				}
			}
			n := 0
			for pid, idx := range disc {
				n += len(idx)
				for _, i := range idx {
					if i != 0 && byStream(pkts)[pid][i].PTS < 2e9 {
						t.Errorf("PID %d packet %d (PTS %v) marked, before the join", pid, i, byStream(pkts)[pid][i].PTS)
					}
				}
			}
			if n != tc.wantDisc {
				t.Errorf("%d packets marked (%v), want %d", n, disc, tc.wantDisc)
			}
			if want := 2 * fixtureFrames; countKind(pkts, media.KindVideo) != want {
				t.Errorf("%d video packets, want %d", countKind(pkts, media.KindVideo), want)
			}
			if ce := ts.Stats().ContinuityErrors; tc.breaks != nil && tc.breaks[len(tc.breaks)-1] > 0 && ce != 0 {
				t.Errorf("%d continuity errors across a reported break", ce)
			}
		})
	}
}
