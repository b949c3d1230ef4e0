package headend

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
)

// registration is a registration body.
func registration(serial, key string) string {
	b, _ := json.Marshal(operator.DeviceRegistration{Serial: serial, Model: "test", Firmware: "0.1", DeviceKey: key})
	return string(b)
}

// Knowing a box's serial gives a stranger a new, empty device: not the
// box's device ID, favourites or token.
func TestRegisterSerialIsNoCredential(t *testing.T) {
	h := startServer(t, Config{})
	key := strings.Repeat("k", 52)
	var box operator.Device
	h.doToken(t, "", "POST", "/api/v1/devices", registration("MB-7", key)).decode(t, 201, &box)
	var titles struct{ Titles []operator.Title }
	h.doToken(t, box.Token, "GET", "/api/v1/titles", "").decode(t, 200, &titles)
	if a := h.doToken(t, box.Token, "PUT", "/api/v1/favourites/"+titles.Titles[0].ID, ""); a.status/100 != 2 {
		t.Fatalf("favourite: %d %s", a.status, a.body)
	}

	var thief operator.Device
	h.doToken(t, "", "POST", "/api/v1/devices", registration("MB-7", "")).decode(t, 201, &thief)
	if thief.ID == box.ID {
		t.Fatalf("a registration with the serial only got the box's device %s", box.ID)
	}
	var favs struct{ Total int }
	h.doToken(t, thief.Token, "GET", "/api/v1/favourites", "").decode(t, 200, &favs)
	if favs.Total != 0 {
		t.Errorf("the stranger sees %d favourites", favs.Total)
	}
	h.doToken(t, box.Token, "GET", "/api/v1/favourites", "").decode(t, 200, &favs)
	if favs.Total != 1 {
		t.Errorf("the box's favourites after the stranger: %d, want 1 (its token works)", favs.Total)
	}
	// The box itself, with its key, keeps its device.
	var again operator.Device
	h.doToken(t, "", "POST", "/api/v1/devices", registration("MB-7", key)).decode(t, 201, &again)
	if again.ID != box.ID {
		t.Errorf("the box with its key got device %s, want %s", again.ID, box.ID)
	}
}

// localClient sends requests from the loopback address src.
func localClient(src string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

func TestRegisterRateLimit(t *testing.T) {
	h := startServer(t, Config{RegisterBurst: 3, RegisterEvery: time.Hour}) // registers once
	for i := range 2 {
		h.doToken(t, "", "POST", "/api/v1/devices", registration("R"+strconv.Itoa(i), "")).decode(t, 201, &operator.Device{})
	}
	a := h.doToken(t, "", "POST", "/api/v1/devices", registration("R9", ""))
	a.wantError(t, 429, "too many registrations")
	if s, err := strconv.Atoi(a.header.Get("Retry-After")); err != nil || s <= 0 || s > 3600 {
		t.Errorf("Retry-After %q", a.header.Get("Retry-After"))
	}
	// Another address has its own bucket.
	resp, err := localClient("127.0.0.2").Post(h.url+"/api/v1/devices", "application/json", strings.NewReader(registration("R10", "")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Errorf("from 127.0.0.2: status %d, want 201", resp.StatusCode)
	}
}

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The head-end's log names a box by its device ID, never by its serial,
// token or key.
func TestRegisterLogsNoSecrets(t *testing.T) {
	var log lockedBuffer
	h := startServer(t, Config{Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	serial, key := "SERIAL-0123456789", strings.Repeat("q", 52)
	var d operator.Device
	h.doToken(t, "", "POST", "/api/v1/devices", registration(serial, key)).decode(t, 201, &d)
	var again operator.Device
	h.doToken(t, d.Token, "POST", "/api/v1/devices", registration(serial, key)).decode(t, 201, &again)
	h.doToken(t, again.Token, "GET", "/api/v1/favourites", "").decode(t, 200, &struct{}{})
	h.doToken(t, d.Token, "GET", "/api/v1/favourites", "") // the old token, refused
	out := log.String()
	if !strings.Contains(out, "device registered") || !strings.Contains(out, d.ID) {
		t.Fatalf("log does not show the registration:\n%s", out)
	}
	for name, secret := range map[string]string{"serial": serial, "token": d.Token, "new token": again.Token, "key": key} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains the %s:\n%s", name, out)
		}
	}
}
