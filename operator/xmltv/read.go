package xmltv

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the Reader. Longer texts are cut; further texts of a kind are
// dropped; a single XML token (text, attribute, comment) larger than
// MaxToken ends the guide with an error.
const (
	MaxText     = 4 << 10 // bytes of one text (a title, a description...)
	MaxTexts    = 16      // texts of each kind in an element
	MaxToken    = 1 << 20 // bytes of one XML token
	MaxProblems = 20      // problems kept by Reader.Problems; the rest are only counted
)

// ErrTokenTooLarge ends a guide with an XML token larger than MaxToken.
var ErrTokenTooLarge = errors.New("xmltv: XML token larger than 1 MiB")

// Element is one element of a guide: a channel or a programme.
type Element struct {
	Channel   *Channel   // set for a <channel>
	Programme *Programme // set for a <programme>
}

// Reader reads the channels and programmes of a guide one at a time.
type Reader struct {
	in       *guard
	d        *xml.Decoder
	started  bool
	problems []string
	skipped  int
}

// NewReader returns a reader of the guide r.
func NewReader(r io.Reader) *Reader {
	g := &guard{r: r}
	d := xml.NewDecoder(g)
	d.Strict = false // real guides have stray & and undeclared entities
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charsetReader
	return &Reader{in: g, d: d}
}

// Problems describes the first MaxProblems elements that were skipped.
func (r *Reader) Problems() []string { return r.problems }

// Skipped returns the number of elements skipped so far.
func (r *Reader) Skipped() int { return r.skipped }

// Offset returns the number of bytes of the guide read so far.
func (r *Reader) Offset() int64 { return r.d.InputOffset() }

func (r *Reader) problem(format string, args ...any) {
	r.skipped++
	if len(r.problems) < MaxProblems {
		line, _ := r.d.InputPos()
		r.problems = append(r.problems, fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...))
	}
}

// token returns the next token, copied, with the size guard reset.
func (r *Reader) token() (xml.Token, error) {
	t, err := r.d.Token()
	r.in.mark = r.in.n
	if err != nil && r.in.err != nil && !errors.Is(r.in.err, io.EOF) {
		return nil, r.in.err
	}
	return t, err
}

// Next returns the next channel or programme, or io.EOF after the last.
// Any other error (bad XML, a document that is not a guide) ends the
// guide.
func (r *Reader) Next() (Element, error) {
	for {
		tok, err := r.token()
		if err == io.EOF {
			if !r.started {
				return Element{}, errors.New("xmltv: no <tv> element")
			}
			return Element{}, io.EOF
		}
		if err != nil {
			return Element{}, fmt.Errorf("xmltv: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if !r.started {
			if se.Name.Local != "tv" {
				return Element{}, fmt.Errorf("xmltv: document is <%s>, not <tv>", clip(se.Name.Local))
			}
			r.started = true
			continue
		}
		switch se.Name.Local {
		case "channel":
			c, err := r.channel(se)
			if err != nil {
				return Element{}, err
			}
			if c.ID == "" {
				r.problem("channel without id")
				continue
			}
			return Element{Channel: c}, nil
		case "programme":
			p, err := r.programme(se)
			if err != nil {
				return Element{}, err
			}
			if p != nil {
				return Element{Programme: p}, nil
			}
		default:
			if err := r.skip(); err != nil {
				return Element{}, err
			}
		}
	}
}

// skip skips the rest of the element just started.
func (r *Reader) skip() error {
	for depth := 1; depth > 0; {
		tok, err := r.token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("xmltv: %w", err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// children calls f with each child element of the element just started,
// and its text; grandchildren are skipped.
func (r *Reader) children(f func(se xml.StartElement, text string)) error {
	for {
		tok, err := r.token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("xmltv: %w", err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			text, err := r.text()
			if err != nil {
				return err
			}
			f(t, text)
		}
	}
}

// text returns the text of the element just started, at most MaxText
// bytes of it, skipping child elements.
func (r *Reader) text() (string, error) {
	var b strings.Builder
	for depth := 1; ; {
		tok, err := r.token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", fmt.Errorf("xmltv: %w", err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if depth == 1 && b.Len() < MaxText {
				b.Write(t[:min(len(t), MaxText-b.Len())])
			}
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
			if depth == 0 {
				return cleanText(b.String()), nil
			}
		}
	}
}

// cleanText trims s, makes it valid UTF-8 (a cut may have split a rune)
// and collapses its white space.
func cleanText(s string) string {
	if isClean(s) {
		return s // most texts: no copy
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	return strings.Join(strings.Fields(s), " ")
}

// isClean reports whether cleanText would return s as it is: valid
// UTF-8 whose only white space is single spaces between words.
func isClean(s string) bool {
	space := true // a space here would be leading or doubled
	for _, r := range s {
		if r == utf8.RuneError {
			return false // invalid, or a real U+FFFD: the long way decides
		}
		sp := unicode.IsSpace(r)
		if sp && (r != ' ' || space) {
			return false
		}
		space = sp
	}
	return !space || s == ""
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return cleanText(a.Value)
		}
	}
	return ""
}

func addText(list []Text, se xml.StartElement, text string) []Text {
	if text == "" || len(list) >= MaxTexts {
		return list
	}
	return append(list, Text{Lang: attr(se, "lang"), Value: text})
}

func (r *Reader) channel(se xml.StartElement) (*Channel, error) {
	c := &Channel{ID: attr(se, "id")}
	err := r.children(func(ce xml.StartElement, text string) {
		switch ce.Name.Local {
		case "display-name":
			c.Names = addText(c.Names, ce, text)
		case "icon":
			if c.Icon == "" {
				c.Icon = attr(ce, "src")
			}
		case "url":
			if c.URL == "" {
				c.URL = text
			}
		}
	})
	return c, err
}

// programme reads a programme, or returns nil for one that is skipped.
func (r *Reader) programme(se xml.StartElement) (*Programme, error) {
	p := &Programme{Channel: attr(se, "channel"), CatchupID: attr(se, "catchup-id")}
	var problem string
	start, err := ParseTime(attr(se, "start"))
	p.Start = start
	if err != nil {
		problem = fmt.Sprintf("programme of %q: start: %v", clip(p.Channel), err)
	}
	if s := attr(se, "stop"); s != "" && problem == "" {
		stop, err := ParseTime(s)
		switch {
		case err != nil:
			problem = fmt.Sprintf("programme of %q: stop: %v", clip(p.Channel), err)
		case !stop.After(start):
			problem = fmt.Sprintf("programme of %q at %s stops at %s", clip(p.Channel), FormatTime(start), FormatTime(stop))
		default:
			p.Stop = stop
		}
	}
	if p.Channel == "" && problem == "" {
		problem = "programme without channel"
	}
	err = r.children(func(ce xml.StartElement, text string) {
		switch ce.Name.Local {
		case "title":
			p.Titles = addText(p.Titles, ce, text)
		case "sub-title":
			p.SubTitles = addText(p.SubTitles, ce, text)
		case "desc":
			p.Descs = addText(p.Descs, ce, text)
		case "category":
			p.Categories = addText(p.Categories, ce, text)
		case "icon":
			if p.Icon == "" {
				p.Icon = attr(ce, "src")
			}
		case "episode-num":
			if p.EpisodeNum == "" {
				p.EpisodeNum = text
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if problem != "" {
		r.problem("%s", problem)
		return nil, nil
	}
	return p, nil
}

// guard counts what the decoder reads, and fails a read that would make
// one token larger than MaxToken: encoding/xml holds a whole token in
// memory.
type guard struct {
	r    io.Reader
	n    int64 // bytes read
	mark int64 // n when the last token was returned
	err  error
}

func (g *guard) Read(p []byte) (int, error) {
	if g.n-g.mark > MaxToken {
		g.err = ErrTokenTooLarge
		return 0, g.err
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	if err != nil {
		g.err = err
	}
	return n, err
}

// charsetReader accepts the encodings guides are written in besides
// UTF-8: ISO-8859-1 (Latin-1) and ASCII.
func charsetReader(charset string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "latin1", "latin-1":
		return &latin1{r: in}, nil
	}
	return nil, fmt.Errorf("xmltv: unsupported encoding %q", charset)
}

// latin1 turns ISO-8859-1 into UTF-8.
type latin1 struct {
	r   io.Reader
	buf []byte
}

func (l *latin1) Read(p []byte) (int, error) {
	if len(p) < 2 {
		return 0, io.ErrShortBuffer
	}
	if cap(l.buf) < len(p)/2 {
		l.buf = make([]byte, len(p)/2)
	}
	n, err := l.r.Read(l.buf[:len(p)/2])
	out := p[:0]
	for _, c := range l.buf[:n] {
		out = utf8.AppendRune(out, rune(c))
	}
	return len(out), err
}
