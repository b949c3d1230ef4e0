package textinput

import "time"

// Field is one line of text being typed with the remote.
type Field struct {
	typed []rune
	max   int

	// multi-tap state: the digit last tapped, when, and where in its cycle.
	tapDigit int
	tapAt    time.Time
	tapIndex int
}

// NewField returns an empty field that holds at most max typed characters.
func NewField(max int) *Field { return &Field{max: max, tapDigit: -1} }

// Text returns the field's text, Hangul composed.
func (f *Field) Text() string { return Compose(f.typed) }

// Empty reports whether nothing is typed.
func (f *Field) Empty() bool { return len(f.typed) == 0 }

// Type adds one character (a jamo is composed with what precedes it).
func (f *Field) Type(r rune) {
	f.endTap()
	f.add(r)
}

func (f *Field) add(r rune) {
	if len(f.typed) < f.max {
		f.typed = append(f.typed, r)
	}
}

// Backspace removes the last character typed: for Hangul, the last jamo,
// so "닭" becomes "달", as on a phone.
func (f *Field) Backspace() {
	f.endTap()
	if len(f.typed) > 0 {
		f.typed = f.typed[:len(f.typed)-1]
	}
}

// Clear empties the field.
func (f *Field) Clear() {
	f.endTap()
	f.typed = f.typed[:0]
}

// MultiTapTimeout is how long after a digit press the same digit still
// cycles through its letters instead of typing a new one.
const MultiTapTimeout = 1200 * time.Millisecond

// MultiTap types with a digit key as on a phone: pressing the same digit
// again within MultiTapTimeout replaces the letter just typed with the next
// of the digit's letters in the layout.
func (f *Field) MultiTap(l *Layout, digit int, now time.Time) {
	letters := l.MultiTap[digit]
	if len(letters) == 0 {
		f.endTap()
		f.add(rune('0' + digit))
		return
	}
	if digit == f.tapDigit && now.Sub(f.tapAt) < MultiTapTimeout && len(f.typed) > 0 {
		f.typed = f.typed[:len(f.typed)-1]
		f.tapIndex = (f.tapIndex + 1) % len(letters)
	} else {
		f.tapIndex = 0
	}
	f.add(letters[f.tapIndex])
	f.tapDigit, f.tapAt = digit, now
}

// Pending reports whether a multi-tap letter may still change.
func (f *Field) Pending(now time.Time) bool {
	return f.tapDigit >= 0 && now.Sub(f.tapAt) < MultiTapTimeout
}

// PendingUntil returns when the letter typed last with MultiTap is
// settled, if Pending.
func (f *Field) PendingUntil() time.Time { return f.tapAt.Add(MultiTapTimeout) }

func (f *Field) endTap() { f.tapDigit = -1 }
