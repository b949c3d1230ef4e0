package avcodec

/*
#include "shim.h"
#include "deint.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"
)

// ErrNoDeinterlacer means libavfilter, which deinterlaces, could not be
// loaded: interlaced pictures are then shown as coded.
var ErrNoDeinterlacer = errors.New("avcodec: deinterlacing unavailable")

// filterLib loads libavfilter on first use: a progressive stream never
// maps it (nor the libraries it needs).
type filterLib struct {
	name  string
	mu    sync.Mutex
	tried bool
	err   error
}

// avfilter is the libavfilter that new decoders deinterlace with.
var avfilter = &filterLib{name: C.MB_AVFILTER_LIB}

// load opens the library the first time, and returns why it could not.
func (l *filterLib) load() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.tried {
		l.tried = true
		cname := C.CString(l.name)
		defer C.free(unsafe.Pointer(cname))
		var buf [512]C.char
		if C.mb_avfilter_load(cname, &buf[0], C.size_t(len(buf))) < 0 {
			l.err = fmt.Errorf("%w: load %s: %s", ErrNoDeinterlacer, l.name, C.GoString(&buf[0]))
		}
	}
	return l.err
}

// failed returns why the library could not be loaded, nil when it was or
// has not been tried.
func (l *filterLib) failed() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// Deinterlacing returns nil while interlaced pictures can be
// deinterlaced, or once a decoder has failed to load libavfilter (it
// does at the first interlaced picture), why they cannot: an error
// matching ErrNoDeinterlacer. Such a decoder goes on with the pictures as
// coded, flagged Interlaced but not Deinterlaced.
func Deinterlacing() error { return avfilter.failed() }

// deinterlacer runs decoded pictures through libavfilter's yadif. It is
// built at the first interlaced picture and from then on sees every
// picture, so that the one picture it holds back keeps its place in
// order; it outputs one picture per picture in (frame rate, not field
// rate: a set-top box shows 50i as 25p), deinterlacing those flagged
// interlaced and passing the others through.
type deinterlacer struct {
	graph     *C.AVFilterGraph
	src, sink *C.AVFilterContext
	out       *C.AVFrame
	// The shape the graph was built for.
	w, h, format C.int
	// interlaced holds, for each picture inside the filter, whether it was
	// interlaced going in: yadif clears the flag on its way out.
	interlaced []bool
}

// active reports whether pictures go through the filter.
func (di *deinterlacer) active() bool { return di.graph != nil }

// push gives the filter one decoded picture, building or rebuilding the
// graph for its shape; f is not modified. emit receives each picture that
// comes out, with whether it was interlaced going in.
func (di *deinterlacer) push(f *C.AVFrame, emit func(out *C.AVFrame, wasInterlaced bool) error) error {
	if di.graph != nil && (f.width != di.w || f.height != di.h || f.format != di.format) {
		if err := di.drain(emit); err != nil {
			return err
		}
		di.free()
	}
	if di.graph == nil {
		if ret := C.mb_deint_open(&di.graph, &di.src, &di.sink, f, timeBase); ret < 0 {
			return fmt.Errorf("deinterlace: build filter: %w", Error(ret))
		}
		di.w, di.h, di.format = f.width, f.height, f.format
		if di.out == nil {
			if di.out = C.av_frame_alloc(); di.out == nil {
				return Error(C.MB_ENOMEM)
			}
		}
	}
	di.interlaced = append(di.interlaced, C.mb_frame_interlaced(f) != 0)
	if ret := C.mb_buffersrc_write_frame(di.src, f); ret < 0 {
		di.interlaced = di.interlaced[:len(di.interlaced)-1]
		return fmt.Errorf("deinterlace: %w", Error(ret))
	}
	return di.pull(emit)
}

// drain flushes the picture the filter holds back, at the end of a stream;
// the graph must be rebuilt before the next push.
func (di *deinterlacer) drain(emit func(*C.AVFrame, bool) error) error {
	if di.graph == nil {
		return nil
	}
	if ret := C.mb_buffersrc_drain(di.src); ret < 0 {
		return fmt.Errorf("deinterlace: drain: %w", Error(ret))
	}
	err := di.pull(emit)
	di.free()
	return err
}

// pull hands every picture ready at the sink to emit.
func (di *deinterlacer) pull(emit func(*C.AVFrame, bool) error) error {
	var firstErr error
	for {
		ret := C.mb_buffersink_get_frame(di.sink, di.out)
		if ret == C.MB_EAGAIN || ret == C.MB_EOF {
			return firstErr
		}
		if ret < 0 {
			return fmt.Errorf("deinterlace: %w", Error(ret))
		}
		was := false
		if len(di.interlaced) > 0 {
			was, di.interlaced = di.interlaced[0], di.interlaced[1:]
		}
		if err := emit(di.out, was); err != nil && firstErr == nil {
			firstErr = err
		}
		C.av_frame_unref(di.out)
	}
}

// free releases the graph; the next push builds a new one.
func (di *deinterlacer) free() {
	if di.graph != nil {
		C.mb_avfilter_graph_free(&di.graph)
	}
	di.src, di.sink, di.interlaced = nil, nil, di.interlaced[:0]
}

// close releases everything.
func (di *deinterlacer) close() {
	di.free()
	C.av_frame_free(&di.out)
}
