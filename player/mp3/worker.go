package mp3

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	gomp3 "github.com/hajimehoshi/go-mp3"
)

// maxBacklog bounds the compressed bytes waiting for the decoding
// goroutine (about 30 s at 320 kbit/s).
const maxBacklog = 1 << 20

// errBacklog is returned when input arrives faster than it is decoded.
var errBacklog = errors.New("mp3: input backlog full")

// pcmChunk is decoded audio at one sample rate: 16-bit little-endian
// stereo, as go-mp3 makes it.
type pcmChunk struct {
	rate int
	data []byte
}

// worker runs go-mp3 on its own goroutine. go-mp3 pulls from an io.Reader
// and keeps the bit reservoir between frames, so the worker is that reader:
// it hands over the bytes fed to it and blocks when it has none, which is
// how the feeding side knows that everything it gave is decoded.
type worker struct {
	mu       sync.Mutex
	in       []byte // compressed bytes not yet read by go-mp3
	needSync bool   // drop bytes up to the next frame header
	fed      int    // number of feed calls so far
	idleAt   int    // value of fed when go-mp3 last ran out of input
	reads    int    // number of reads that returned data, to see progress
	exited   bool
	out      []pcmChunk
	err      error // first decode error since the last take

	wake     chan struct{} // input arrived (capacity 1)
	progress chan struct{} // go-mp3 ran out of input, or the worker ended (capacity 1)
	quit     chan struct{}
	done     chan struct{}
}

func startWorker() *worker {
	w := &worker{
		needSync: true,
		idleAt:   -1,
		wake:     make(chan struct{}, 1),
		progress: make(chan struct{}, 1),
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	go w.run()
	return w
}

// signal wakes whoever waits on c without ever blocking.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// feed queues compressed bytes for the decoder.
func (w *worker) feed(b []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.in)+len(b) > maxBacklog {
		return errBacklog
	}
	w.in = append(w.in, b...)
	w.fed++
	signal(w.wake)
	return nil
}

// wait blocks until go-mp3 has used up everything fed so far or the
// worker has ended. It gives up early when go-mp3 reads nothing for stall,
// which a healthy decoder never does: it reads every frame's bytes before
// spending a fraction of a millisecond (or, under the race detector, a
// fraction of a second) decoding it.
func (w *worker) wait(stall time.Duration) {
	w.mu.Lock()
	ready, seen := w.idleAt == w.fed || w.exited, w.reads
	w.mu.Unlock()
	if ready {
		return
	}
	timer := time.NewTimer(stall)
	defer timer.Stop()
	for {
		select {
		case <-w.progress:
		case <-timer.C:
			w.mu.Lock()
			reads := w.reads
			w.mu.Unlock()
			if reads == seen {
				return
			}
			seen = reads
			timer.Reset(stall)
		}
		w.mu.Lock()
		ready = w.idleAt == w.fed || w.exited
		w.mu.Unlock()
		if ready {
			return
		}
	}
}

// take returns and clears the decoded audio and the first error.
func (w *worker) take() ([]pcmChunk, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	out, err := w.out, w.err
	w.out, w.err = nil, nil
	return out, err
}

// stop ends the goroutine and waits for it.
func (w *worker) stop() {
	select {
	case <-w.quit:
	default:
		close(w.quit)
	}
	<-w.done
}

// Read gives go-mp3 the fed bytes, blocking while there are none. It
// returns io.EOF only when the worker is stopping.
func (w *worker) Read(p []byte) (int, error) {
	w.mu.Lock()
	for {
		if w.needSync {
			if i := syncOffset(w.in); i >= 0 {
				w.in = w.in[i:]
				w.needSync = false
			} else if len(w.in) > 3 {
				w.in = w.in[len(w.in)-3:] // may hold the start of a header
			}
		}
		if !w.needSync && len(w.in) > 0 {
			n := copy(p, w.in)
			w.in = w.in[n:]
			w.reads++
			if len(w.in) == 0 {
				w.in = w.in[:0:0] // let a large backlog be freed
			}
			w.mu.Unlock()
			return n, nil
		}
		w.idleAt = w.fed
		w.mu.Unlock()
		signal(w.progress)
		select {
		case <-w.wake:
		case <-w.quit:
			return 0, io.EOF
		}
		w.mu.Lock()
	}
}

// run decodes until stopped, starting go-mp3 afresh (at the next frame
// header) whenever it fails.
func (w *worker) run() {
	defer func() {
		w.mu.Lock()
		w.exited = true
		w.mu.Unlock()
		signal(w.progress)
		close(w.done)
	}()
	buf := make([]byte, 4*1152*4)
	for {
		err := w.decode(buf)
		select {
		case <-w.quit:
			return
		default:
		}
		w.mu.Lock()
		if w.err == nil && err != nil && err != io.EOF {
			w.err = err
		}
		w.needSync = true
		w.mu.Unlock()
	}
}

// decode runs one go-mp3 decoder until it fails. go-mp3 is not written for
// hostile input, so a panic inside it becomes an error.
func (w *worker) decode(buf []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("mp3: decoder panic on corrupt input: %v", r)
		}
	}()
	dec, err := gomp3.NewDecoder(w)
	if err != nil {
		return fmt.Errorf("mp3: start decoding: %w", err)
	}
	rate := dec.SampleRate()
	for {
		n, err := dec.Read(buf)
		if n > 0 {
			w.emit(rate, buf[:n])
		}
		if err != nil {
			return fmt.Errorf("mp3: decode: %w", err)
		}
	}
}

// emit stores decoded PCM for take.
func (w *worker) emit(rate int, pcm []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if k := len(w.out); k > 0 && w.out[k-1].rate == rate {
		w.out[k-1].data = append(w.out[k-1].data, pcm...)
		return
	}
	w.out = append(w.out, pcmChunk{rate: rate, data: append([]byte(nil), pcm...)})
}
