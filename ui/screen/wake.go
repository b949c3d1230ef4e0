package screen

import "time"

// The loop draws a frame only when something changed: a key, a task, a
// video picture, or the time a screen's Wake names. Wake answers with the
// soonest of the things below that the screen shows; a screen that is
// animating answers now, and gets the next frame.

// soonest returns the earliest of ts that is not zero, or zero.
func soonest(ts ...time.Time) time.Time {
	var first time.Time
	for _, t := range ts {
		if !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return first
}

// nextMinute is when the clock in the header (and a programme's minutes
// left) next changes.
func nextMinute(now time.Time) time.Time { return now.Truncate(time.Minute).Add(time.Minute) }

// after returns t if it is still to come, else zero: the end of a message
// or a panel shown until t.
func after(now, t time.Time) time.Time {
	if t.After(now) {
		return t
	}
	return time.Time{}
}

// animating returns now when any of as is gliding, else zero.
func animating(now time.Time, as ...*anim) time.Time {
	for _, a := range as {
		if a.moving() {
			return now
		}
	}
	return time.Time{}
}

// countdown returns when the seconds shown until a failure's retry next
// change, or the retry itself; zero without a retry.
func countdown(now time.Time, f Failure) time.Time {
	if f.RetryAt.IsZero() {
		return time.Time{}
	}
	left := f.RetryAt.Sub(now)
	if left <= 0 {
		return now
	}
	// The panel shows left rounded up to whole seconds: it changes when
	// left crosses the next whole second below it.
	step := left % time.Second
	if step == 0 {
		step = time.Second
	}
	return now.Add(step)
}

// failureWake is countdown for a failure that may not be there.
func failureWake(now time.Time, f *Failure) time.Time {
	if f == nil {
		return time.Time{}
	}
	return countdown(now, *f)
}

// digitsWake is when typed digits are taken as a channel number.
func digitsWake(now time.Time, d digitEntry) time.Time {
	if d.typed == "" {
		return time.Time{}
	}
	return after(now, d.at.Add(DigitTimeout)) // Update takes them once it has passed
}

// Wake implements Screen.
func (h *Home) Wake(now time.Time) time.Time {
	if h.status == HomeLoading {
		return now // the spinner turns
	}
	as := []*anim{&h.scrollY, &h.ringX, &h.ringY}
	for i := range h.scrollX {
		as = append(as, &h.scrollX[i])
	}
	return soonest(animating(now, as...), countdown(now, h.fail), after(now, h.noticeUntil), nextMinute(now))
}

// Wake implements Screen.
func (g *Grid) Wake(now time.Time) time.Time {
	if (!g.loaded && g.fail.Detail == "") || g.fetching {
		return now
	}
	return soonest(animating(now, &g.scroll), countdown(now, g.fail), nextMinute(now))
}

// Wake implements Screen.
func (g *Guide) Wake(now time.Time) time.Time {
	if !g.loaded && g.fail == nil {
		return now
	}
	return soonest(animating(now, &g.scroll), failureWake(now, g.fail), nextMinute(now))
}

// Wake implements Screen.
func (l *Live) Wake(now time.Time) time.Time {
	if !l.loaded && l.fail == nil {
		return now
	}
	return soonest(animating(now, &l.scroll), failureWake(now, l.fail), digitsWake(now, l.digits), after(now, l.toastEnd), nextMinute(now))
}

// Wake implements Screen.
func (s *Search) Wake(now time.Time) time.Time {
	if s.status() == "searching" {
		return now
	}
	var debounce time.Time
	if !s.editedAt.IsZero() {
		debounce = after(now, s.editedAt.Add(SearchDebounce)) // Update asks once it has passed
	}
	return soonest(debounce, s.typing.wake(now), failureWake(now, s.fail), nextMinute(now))
}

// Wake implements Screen.
func (e *TextEntry) Wake(now time.Time) time.Time {
	return soonest(e.typing.wake(now), nextMinute(now))
}

// wake is when a multi-tap letter being typed is settled.
func (t *typing) wake(now time.Time) time.Time {
	if !t.field.Pending(now) {
		return time.Time{}
	}
	return after(now, t.field.PendingUntil())
}

// Wake implements Screen.
func (d *Detail) Wake(now time.Time) time.Time { return nextMinute(now) }

// Wake implements Screen.
func (p *PIN) Wake(now time.Time) time.Time { return nextMinute(now) }

// Wake implements Screen.
func (st *Settings) Wake(now time.Time) time.Time { return nextMinute(now) }

// Wake implements Screen.
func (p *Player) Wake(now time.Time) time.Time {
	if p.song != nil && p.songDimmed(now) {
		return p.song.idle.wake(now) // nothing else is shown
	}
	if p.state == PlayOpening {
		return now // the spinner turns
	}
	var fail, reconnect, seek, programme time.Time
	if p.state == PlayError && p.retry != nil {
		fail = countdown(now, p.fail)
	}
	if p.ctl != nil && p.song == nil {
		// While pictures come, they wake the loop; this is for when they
		// stop, to say the player is reconnecting.
		reconnect = p.checkedAt.Add(reconnectCheck)
		if !reconnect.After(now) {
			reconnect = now.Add(reconnectCheck)
		}
	}
	if !p.seekAt.IsZero() {
		seek = after(now, p.seekAt.Add(seekHold))
	}
	if p.channel != nil && p.now != nil {
		programme = after(now, p.now.Stop)
	}
	var song time.Time
	if p.song != nil {
		song = p.songWake(now)
	}
	return soonest(fail, reconnect, seek, programme, song, digitsWake(now, p.digits),
		after(now, p.osdUntil), after(now, p.bannerUntil), after(now, p.toastUntil), nextMinute(now))
}
