// Package catchup builds the URL of a past programme of a channel that
// has catch-up (an archive of its recent broadcasts), from the M3U
// attributes catchup, catchup-source and catchup-days
// (operator.Catchup).
//
// Modes:
//
//	default    catchup-source is the programme's whole URL, with placeholders
//	append     catchup-source, with placeholders, is appended to the channel's URL
//	shift      the channel's URL gets ?utc={utc}&lutc={lutc} (SIPTV)
//	flussonic  Flussonic's URLs: .../index.m3u8 becomes .../index-{utc}-{duration}.m3u8,
//	           .../mpegts becomes .../timeshift_abs-{utc}.ts
//
// Placeholders, with the programme's start and end and the time now (Unix
// seconds, calendar fields in UTC):
//
//	{utc} ${start} {start}            start
//	{utcend} ${end} {end}             end
//	{lutc} {now} ${now} ${timestamp} {timestamp}   now
//	{duration} ${duration}            end - start, in seconds
//	{duration:N}                      end - start, divided by N (60: minutes)
//	{offset:N}                        now - start, divided by N
//	{Y} {m} {d} {H} {M} {S}           the start's year, month, day, hour, minute, second
//	{utc:FMT} {utcend:FMT}            start or end formatted with Y m d H M S, such as {utc:Y-m-d-H}
//	${(b)FMT} ${(e)FMT}               start or end formatted with yyyy MM dd HH mm ss
package catchup

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/manbang/manbang/operator"
)

// Errors of URL.
var (
	ErrNoCatchup = errors.New("catchup: the channel has no catch-up")
	ErrTooOld    = errors.New("catchup: the programme is older than the archive")
	ErrFuture    = errors.New("catchup: the programme has not started")
)

// URL returns the URL that plays the programme from start to stop of a
// channel whose live stream is channelURL, now being now.
func URL(channelURL string, c operator.Catchup, start, stop, now time.Time) (string, error) {
	if c.Mode == "" {
		return "", ErrNoCatchup
	}
	switch {
	case !start.Before(now):
		return "", ErrFuture
	case c.Days > 0 && start.Before(now.AddDate(0, 0, -c.Days)):
		return "", fmt.Errorf("%w (%d days)", ErrTooOld, c.Days)
	case !stop.After(start):
		return "", fmt.Errorf("catchup: programme ends at %s, before it starts at %s", stop.Format(time.RFC3339), start.Format(time.RFC3339))
	}
	switch strings.ToLower(c.Mode) {
	case operator.CatchupDefault:
		if c.Source == "" {
			return "", errors.New("catchup: mode default without catchup-source")
		}
		return Expand(c.Source, start, stop, now), nil
	case operator.CatchupAppend:
		if c.Source == "" {
			return "", errors.New("catchup: mode append without catchup-source")
		}
		return channelURL + Expand(c.Source, start, stop, now), nil
	case operator.CatchupShift, "timeshift":
		sep := "?"
		if strings.Contains(channelURL, "?") {
			sep = "&"
		}
		return channelURL + sep + "utc=" + unix(start) + "&lutc=" + unix(now), nil
	case operator.CatchupFlussonic, "fs":
		return flussonic(channelURL, start, stop)
	}
	return "", fmt.Errorf("catchup: unsupported mode %q", c.Mode)
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// flussonic rewrites the last element of a Flussonic stream URL.
func flussonic(channelURL string, start, stop time.Time) (string, error) {
	u, err := url.Parse(channelURL)
	if err != nil || u.Path == "" {
		return "", fmt.Errorf("catchup: flussonic: channel URL %q has no path", channelURL)
	}
	dir, last := u.Path[:strings.LastIndex(u.Path, "/")+1], u.Path[strings.LastIndex(u.Path, "/")+1:]
	dur := strconv.FormatInt(int64(stop.Sub(start).Seconds()), 10)
	switch {
	case strings.HasSuffix(last, ".m3u8"):
		last = strings.TrimSuffix(last, ".m3u8") + "-" + unix(start) + "-" + dur + ".m3u8"
	case last == "mpegts" || strings.HasSuffix(last, ".ts"):
		last = "timeshift_abs-" + unix(start) + ".ts"
	default:
		return "", fmt.Errorf("catchup: flussonic: cannot place the time in %q", channelURL)
	}
	u.Path = dir + last
	return u.String(), nil
}

// Expand replaces the placeholders of template (see the package
// documentation) for a programme from start to stop, now being now.
// Unknown placeholders are left as they are.
func Expand(template string, start, stop, now time.Time) string {
	start, stop, now = start.UTC(), stop.UTC(), now.UTC()
	var b strings.Builder
	for i := 0; i < len(template); {
		rest := template[i:]
		var name string
		var n int
		switch {
		case strings.HasPrefix(rest, "${"):
			end := strings.IndexByte(rest, '}')
			if end < 0 {
				b.WriteString(rest)
				return b.String()
			}
			name, n = "$"+rest[2:end], end+1
		case rest[0] == '{':
			end := strings.IndexByte(rest, '}')
			if end < 0 {
				b.WriteString(rest)
				return b.String()
			}
			name, n = rest[1:end], end+1
		default:
			b.WriteByte(rest[0])
			i++
			continue
		}
		if v, ok := value(name, start, stop, now); ok {
			b.WriteString(v)
		} else {
			b.WriteString(rest[:n])
		}
		i += n
	}
	return b.String()
}

// value is the text of the placeholder name ("$name" for ${name}).
func value(name string, start, stop, now time.Time) (string, bool) {
	switch name {
	case "utc", "$start", "start":
		return unix(start), true
	case "utcend", "$end", "end":
		return unix(stop), true
	case "lutc", "now", "$now", "$timestamp", "timestamp":
		return unix(now), true
	case "duration", "$duration":
		return strconv.FormatInt(int64(stop.Sub(start).Seconds()), 10), true
	case "Y":
		return fmt.Sprintf("%04d", start.Year()), true
	case "m":
		return fmt.Sprintf("%02d", int(start.Month())), true
	case "d":
		return fmt.Sprintf("%02d", start.Day()), true
	case "H":
		return fmt.Sprintf("%02d", start.Hour()), true
	case "M":
		return fmt.Sprintf("%02d", start.Minute()), true
	case "S":
		return fmt.Sprintf("%02d", start.Second()), true
	}
	if key, arg, ok := strings.Cut(name, ":"); ok {
		switch key {
		case "duration", "offset":
			div, err := strconv.ParseInt(arg, 10, 64)
			if err != nil || div <= 0 {
				return "", false
			}
			secs := int64(stop.Sub(start).Seconds())
			if key == "offset" {
				secs = int64(now.Sub(start).Seconds())
			}
			return strconv.FormatInt(secs/div, 10), true
		case "utc", "start":
			return format(start, arg, shortLayout), true
		case "utcend", "end":
			return format(stop, arg, shortLayout), true
		}
	}
	if strings.HasPrefix(name, "$(b)") {
		return format(start, name[4:], longLayout), true
	}
	if strings.HasPrefix(name, "$(e)") {
		return format(stop, name[4:], longLayout), true
	}
	return "", false
}

// Layouts of formatted placeholders: letters to time fields.
var (
	shortLayout = strings.NewReplacer("Y", "2006", "m", "01", "d", "02", "H", "15", "M", "04", "S", "05")
	longLayout  = strings.NewReplacer("yyyy", "2006", "MM", "01", "dd", "02", "HH", "15", "mm", "04", "ss", "05")
)

// format formats t with a placeholder format, whose other characters are
// kept (digits of Go's layout excepted, which are dropped).
func format(t time.Time, f string, layout *strings.Replacer) string {
	var clean strings.Builder
	for _, r := range f {
		if r < '0' || r > '9' {
			clean.WriteRune(r)
		}
	}
	return t.Format(layout.Replace(clean.String()))
}
