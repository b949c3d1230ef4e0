//go:build walk

package walk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

type phoneRemoteScreen struct {
	Focus     string `json:"focus"`
	Available bool   `json:"available"`
	On        bool   `json:"on"`
	Armed     bool   `json:"armed"`
	URL       string `json:"url"`
	Code      string `json:"code"`
	Phones    []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"phones"`
}

// phone is a phone on the home network: a plain HTTP client that knows
// only what the TV shows (the QR code's address and the code) and, once
// paired, its token.
type phone struct {
	base  string // scheme and host of the QR code's address
	token string
}

// do sends a JSON request as the phone page does, the token in the
// Authorization header only, and returns the status and the body.
func (p *phone) do(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, r)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, b, err
}

// walkPhone: Settings' phone remote shows a QR code and a code; a phone
// opens the QR code's address, pairs with the code, and presses keys
// that move the UI; the viewer removes it with the remote, and its next
// key is refused. The box's network remote listens on loopback, where a
// phone must pair all the same.
func walkPhone(t *testing.T) {
	v := newViewer(t, "--remote-addr", "127.0.0.1:0")
	var ph phone
	var shown phoneRemoteScreen
	v.step("phone-remote-open", func(ctx context.Context) error {
		if _, err := v.home(ctx); err != nil {
			return err
		}
		if err := v.openSetting(ctx, "phone_remote"); err != nil {
			return err
		}
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		p, err := on(ctx, v, "phone_remote", "the phone remote screen", keyWait, func(p phoneRemoteScreen) bool { return p.Focus == "on" })
		if err != nil {
			return err
		}
		if !p.Available || p.On || p.Armed || p.Code != "" || len(p.Phones) != 0 {
			return fmt.Errorf("a new box's phone remote: %+v; want available, off, not armed, no phones", p)
		}
		return nil
	})
	v.step("phone-remote-code", func(ctx context.Context) error {
		if err := v.press(ctx, "down", "ok"); err != nil {
			return err
		}
		var err error
		shown, err = on(ctx, v, "phone_remote", "a QR code and a code", keyWait, func(p phoneRemoteScreen) bool { return p.Armed && p.Code != "" && p.URL != "" })
		if err != nil {
			return err
		}
		if !shown.On || len(shown.Code) != 8 {
			return fmt.Errorf("armed: %+v; want the remote on and an 8-digit code", shown)
		}
		return nil
	})
	v.step("phone-pairs", func(ctx context.Context) error {
		u, err := url.Parse(shown.URL)
		if err != nil || u.Scheme != "http" || u.Path != "/pair" {
			return fmt.Errorf("the QR code's address %q: want http://BOX:PORT/pair (%v)", shown.URL, err)
		}
		ph.base = u.Scheme + "://" + u.Host
		// The phone opens the QR code's address: the remote page.
		status, page, err := ph.do(ctx, "GET", u.Path, nil)
		if err != nil || status != http.StatusOK || !bytes.Contains(page, []byte("/api/v1/pair")) {
			return fmt.Errorf("GET %s: %d, %v", shown.URL, status, err)
		}
		// Before pairing, it may press nothing, though it is on loopback.
		if status, _, err := ph.do(ctx, "POST", "/api/v1/keys", map[string]string{"key": "back"}); err != nil || status != http.StatusUnauthorized {
			return fmt.Errorf("a key before pairing: %d, %v; want 401", status, err)
		}
		status, body, err := ph.do(ctx, "POST", "/api/v1/pair", map[string]string{"code": shown.Code, "name": "walk phone"})
		if err != nil || status != http.StatusOK {
			return fmt.Errorf("pairing with the code on the TV: %d %s, %v", status, body, err)
		}
		var pr struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal(body, &pr); err != nil || pr.Token == "" {
			return fmt.Errorf("pairing answered %s", body)
		}
		ph.token = pr.Token
		_, err = on(ctx, v, "phone_remote", "the phone in the list, pairing closed", keyWait, func(p phoneRemoteScreen) bool {
			return !p.Armed && p.Code == "" && len(p.Phones) == 1 && p.Phones[0].Name == "walk phone"
		})
		return err
	})
	v.step("phone-presses-keys", func(ctx context.Context) error {
		// Back from the phone: the TV is on Settings again.
		if status, body, err := ph.do(ctx, "POST", "/api/v1/keys", map[string]string{"key": "back"}); err != nil || status != http.StatusNoContent {
			return fmt.Errorf("the phone's Back: %d %s, %v", status, body, err)
		}
		if _, err := on(ctx, v, "settings", "Settings after the phone's Back", keyWait, func(st settingsScreen) bool { return st.Focus == "phone_remote" }); err != nil {
			return err
		}
		// No text field on Settings: the phone's text is refused, not lost.
		if status, _, err := ph.do(ctx, "POST", "/api/v1/text", map[string]string{"text": "news"}); err != nil || status != http.StatusConflict {
			return fmt.Errorf("text with no field on screen: %d, %v; want 409", status, err)
		}
		// Down from the phone moves the focus in Settings.
		if status, body, err := ph.do(ctx, "POST", "/api/v1/keys", map[string]any{"keys": []string{"down"}}); err != nil || status != http.StatusNoContent {
			return fmt.Errorf("the phone's Down: %d %s, %v", status, body, err)
		}
		_, err := on(ctx, v, "settings", "the focus moved by the phone", keyWait, func(st settingsScreen) bool { return st.Focus == "network" })
		return err
	})
	v.step("phone-removed", func(ctx context.Context) error {
		// The viewer, with the remote: back up to the phone remote, open
		// it, down to the phone, OK.
		if err := v.press(ctx, "up"); err != nil {
			return err
		}
		if _, err := on(ctx, v, "settings", "Settings on the phone remote", keyWait, func(st settingsScreen) bool { return st.Focus == "phone_remote" }); err != nil {
			return err
		}
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		id := ""
		if _, err := move(ctx, v, "phone_remote", "down", 3, func(p phoneRemoteScreen) string { return p.Focus }, func(p phoneRemoteScreen) bool {
			if strings.HasPrefix(p.Focus, "phone:") {
				id = strings.TrimPrefix(p.Focus, "phone:")
				return true
			}
			return false
		}); err != nil {
			return err
		}
		if err := v.press(ctx, "ok"); err != nil {
			return err
		}
		_, err := on(ctx, v, "phone_remote", "the phone "+id+" removed", keyWait, func(p phoneRemoteScreen) bool { return len(p.Phones) == 0 })
		return err
	})
	v.step("phone-refused", func(ctx context.Context) error {
		status, body, err := ph.do(ctx, "POST", "/api/v1/keys", map[string]string{"key": "back"})
		if err != nil || status != http.StatusUnauthorized {
			return fmt.Errorf("the removed phone's key: %d %s, %v; want 401", status, body, err)
		}
		// Nothing moved: the TV is still on the phone remote screen.
		_, err = on[phoneRemoteScreen](ctx, v, "phone_remote", "the phone remote screen", keyWait, nil)
		return err
	})
}
