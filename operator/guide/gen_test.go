package guide

import (
	"bufio"
	"fmt"
	"io"
	"time"

	"github.com/manbang/manbang/operator/xmltv"
)

// genGuide writes a made-up XMLTV guide of about size bytes: channels of
// back-to-back programmes from start, with titles and descriptions in
// Korean, English and Russian. It returns the number of programmes.
func genGuide(w io.Writer, size int64, channels int, start time.Time) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := &countWriter{w: bw}
	xw := xmltv.NewWriter(cw, "guide-generator")
	for c := range channels {
		xw.WriteChannel(xmltv.Channel{ID: fmt.Sprintf("ch%03d.kr", c), Names: []xmltv.Text{{Lang: "ko", Value: fmt.Sprintf("채널 %d", c)}, {Lang: "en", Value: fmt.Sprintf("Channel %d", c)}}})
	}
	n := 0
	at := make([]time.Time, channels)
	for i := range at {
		at[i] = start
	}
	for cw.n < size {
		c := n % channels
		length := time.Duration(15+(n*7)%90) * time.Minute
		err := xw.WriteProgramme(xmltv.Programme{
			Channel: fmt.Sprintf("ch%03d.kr", c),
			Start:   at[c], Stop: at[c].Add(length),
			Titles: []xmltv.Text{{Lang: "ko", Value: fmt.Sprintf("프로그램 %d", n)}, {Lang: "en", Value: fmt.Sprintf("Programme %d", n)}, {Lang: "ru", Value: fmt.Sprintf("Передача %d", n)}},
			Descs:  []xmltv.Text{{Lang: "en", Value: "A programme of the generated guide, long enough to look like the descriptions of real guides do."}},
		})
		if err != nil {
			return n, err
		}
		at[c] = at[c].Add(length)
		n++
	}
	if err := xw.Close(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
