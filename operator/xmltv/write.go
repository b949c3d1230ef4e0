package xmltv

import (
	"bufio"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// Writer writes a guide. Close writes its end.
type Writer struct {
	w      *bufio.Writer
	err    error
	closed bool
}

// NewWriter starts a guide on w; generator names the program that made it
// (the generator-info-name attribute), if not "".
func NewWriter(w io.Writer, generator string) *Writer {
	g := &Writer{w: bufio.NewWriterSize(w, 64<<10)}
	g.raw(xml.Header + `<!DOCTYPE tv SYSTEM "xmltv.dtd">` + "\n<tv")
	if generator != "" {
		g.raw(` generator-info-name="`)
		g.escape(generator)
		g.raw(`"`)
	}
	g.raw(">\n")
	return g
}

// WriteChannel writes a channel.
func (w *Writer) WriteChannel(c Channel) error {
	if c.ID == "" {
		return errors.New("xmltv: channel without id")
	}
	w.raw(`  <channel id="`)
	w.escape(c.ID)
	w.raw("\">\n")
	w.texts("display-name", c.Names)
	if c.Icon != "" {
		w.raw(`    <icon src="`)
		w.escape(c.Icon)
		w.raw("\"/>\n")
	}
	if c.URL != "" {
		w.raw("    <url>")
		w.escape(c.URL)
		w.raw("</url>\n")
	}
	w.raw("  </channel>\n")
	return w.err
}

// WriteProgramme writes a programme.
func (w *Writer) WriteProgramme(p Programme) error {
	if p.Channel == "" || p.Start.IsZero() {
		return errors.New("xmltv: programme without channel or start")
	}
	w.raw(`  <programme start="` + FormatTime(p.Start) + `"`)
	if !p.Stop.IsZero() {
		w.raw(` stop="` + FormatTime(p.Stop) + `"`)
	}
	w.raw(` channel="`)
	w.escape(p.Channel)
	w.raw(`"`)
	if p.CatchupID != "" {
		w.raw(` catchup-id="`)
		w.escape(p.CatchupID)
		w.raw(`"`)
	}
	w.raw(">\n")
	// The DTD's order of children.
	w.texts("title", p.Titles)
	w.texts("sub-title", p.SubTitles)
	w.texts("desc", p.Descs)
	w.texts("category", p.Categories)
	if p.Icon != "" {
		w.raw(`    <icon src="`)
		w.escape(p.Icon)
		w.raw("\"/>\n")
	}
	if p.EpisodeNum != "" {
		w.raw("    <episode-num>")
		w.escape(p.EpisodeNum)
		w.raw("</episode-num>\n")
	}
	w.raw("  </programme>\n")
	return w.err
}

// Close ends the guide and flushes it. It does not close the underlying
// writer.
func (w *Writer) Close() error {
	if !w.closed {
		w.closed = true
		w.raw("</tv>\n")
		if w.err == nil {
			w.err = w.w.Flush()
		}
	}
	return w.err
}

func (w *Writer) texts(name string, ts []Text) {
	for _, t := range ts {
		if strings.TrimSpace(t.Value) == "" {
			continue
		}
		w.raw("    <" + name)
		if t.Lang != "" {
			w.raw(` lang="`)
			w.escape(t.Lang)
			w.raw(`"`)
		}
		w.raw(">")
		w.escape(t.Value)
		w.raw("</" + name + ">\n")
	}
}

func (w *Writer) raw(s string) {
	if w.err == nil {
		_, w.err = w.w.WriteString(s)
	}
}

// escape writes s as XML text or attribute value.
func (w *Writer) escape(s string) {
	if w.err == nil {
		w.err = xml.EscapeText(w.w, []byte(s))
	}
}
