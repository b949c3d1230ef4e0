package operator

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDecodeResponse(t *testing.T) {
	tests := []struct {
		status      int
		ctype, body string
		want        string // error text, "" for success
		apiStatus   int    // if the error is an APIError
	}{
		{200, "application/json", `{"titles":[{"id":"a"}],"total":1,"offset":0}`, "", 0},
		{200, "application/json; charset=utf-8", `{"titles":[],"total":0,"offset":0,"extra":true}`, "", 0},
		{200, "", `{"titles":null,"total":0,"offset":0}`, "", 0},
		{200, "text/html", `<html>`, "malformed JSON (text/html): invalid character '<' looking for beginning of value", 0},
		{200, "application/json", `{"titles":"x"}`, "malformed JSON: json: cannot unmarshal", 0},
		{200, "application/json", " \n", "malformed JSON: empty body (status 200)", 0},
		{404, "application/json", `{"error":"unknown title \"x\""}`, `unknown title "x"`, 404},
		{500, "text/plain", `oops`, "Internal Server Error", 500},
		{502, "application/json", `{"error":""}`, "Bad Gateway", 502},
		{599, "", ``, "unexpected status", 599},
		{301, "", ``, "Moved Permanently", 301},
	}
	for _, tt := range tests {
		var p TitlePage
		err := decodeResponse(tt.status, tt.ctype, []byte(tt.body), &p)
		var apiErr *APIError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%d %s: %v", tt.status, tt.body, err)
		case tt.want == "":
		case err == nil:
			t.Errorf("%d %s: no error, want %q", tt.status, tt.body, tt.want)
		case tt.apiStatus != 0:
			if !errors.As(err, &apiErr) || apiErr.Status != tt.apiStatus || apiErr.Message != tt.want {
				t.Errorf("%d %s: %#v, want APIError %d %q", tt.status, tt.body, err, tt.apiStatus, tt.want)
			}
		case !strings.HasPrefix(err.Error(), tt.want) || !errors.Is(err, ErrMalformed):
			t.Errorf("%d %s: %v, want %q", tt.status, tt.body, err, tt.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"a\n b\t\tc", 10, "a b c"},
		{"abcdef", 3, "abc…"},
		{"가나다", 4, "가…"}, // never cuts a rune in half
	}
	for _, tt := range tests {
		if got := oneLine(tt.in, tt.max); got != tt.want {
			t.Errorf("oneLine(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// FuzzDecodeResponse feeds arbitrary answers to the decoder of every
// answer type: it must never panic, must turn every non-2xx answer into an
// APIError of that status with a one-line message, and whatever it accepts
// must encode again.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(200, "application/json", []byte(`{"categories":[{"id":"docs","name":{"ko":"다큐"}}]}`))
	f.Add(200, "application/json", []byte(`{"titles":[{"id":"a","name":{"en":"A"},"year":2020}],"total":1,"offset":0}`))
	f.Add(201, "application/json", []byte(`{"session_id":"s","url":"http://127.0.0.1/a.m3u8","kind":"hls"}`))
	f.Add(404, "application/json", []byte(`{"error":"unknown title \"x\""}`))
	f.Add(500, "text/html", []byte(`<html><body>oops</body></html>`))
	f.Add(200, "text/html", []byte(`<!doctype html>`))
	f.Add(200, "", []byte(`{"titles":[{"name":{"ko":1}}]}`))
	f.Add(200, "", []byte("\xff\xfe{"))
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte) {
		outs := []any{&CategoryList{}, &TitlePage{}, &Title{}, &Session{}, &Error{}}
		for _, out := range outs {
			err := decodeResponse(status, ctype, body, out)
			if status < 200 || status > 299 {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.Status != status || apiErr.Message == "" ||
					strings.ContainsAny(apiErr.Message, "\n\r") || len(apiErr.Message) > 310 {
					t.Fatalf("status %d: error %#v", status, err)
				}
				continue
			}
			if err != nil {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("2xx error %v is not ErrMalformed", err)
				}
				continue
			}
			if _, err := json.Marshal(out); err != nil {
				t.Fatalf("accepted %q but cannot encode it: %v", body, err)
			}
		}
	})
}
