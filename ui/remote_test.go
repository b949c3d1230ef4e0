package ui

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/remote/control"
)

// TestNetworkRemote: the network remote listens only while the settings
// have it on (also when they did before it started); on loopback it still
// wants pairing; the address in the QR code is the listener's and the
// code pairs; a phone removed is refused; switched off, it listens no
// more.
func TestNetworkRemote(t *testing.T) {
	n, err := newNetworkRemote(t.TempDir(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan remote.Event, 16)
	if err := n.start(control.Config{Addr: "127.0.0.1:0", Events: events, State: func() any { return "ok" }}); err != nil {
		t.Fatal(err)
	}
	defer n.close()
	if a := n.addr(); a != "" {
		t.Fatalf("the network remote listens on %s while off", a)
	}
	if _, err := n.Arm(); err == nil {
		t.Error("pairing armed while off")
	}
	n.SetEnabled(true)
	base := "http://" + n.addr()
	post := func(path, token, body string) (int, string) {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, _ := post("/api/v1/keys", "", `{"key":"ok"}`); status != http.StatusUnauthorized {
		t.Errorf("a loopback client without a token: %d; want 401", status)
	}
	pr, err := n.Arm()
	if err != nil {
		t.Fatal(err)
	}
	if pr.URL != base+"/pair" || len(pr.Code) != 8 || len(pr.QR) < 21 {
		t.Fatalf("Arm = %s %s (%d modules)", pr.URL, pr.Code, len(pr.QR))
	}
	status, body := post("/api/v1/pair", "", `{"code":"`+pr.Code+`","name":"walk phone"}`)
	var paired control.PairResponse
	if json.Unmarshal([]byte(body), &paired); status != http.StatusOK || paired.Token == "" {
		t.Fatalf("pair: %d %s", status, body)
	}
	if _, _, ok := n.Armed(); ok {
		t.Error("pairing still armed after a phone paired")
	}
	if status, _ := post("/api/v1/keys", paired.Token, `{"key":"down"}`); status != http.StatusNoContent {
		t.Errorf("paired key: %d", status)
	}
	if ev := <-events; ev.Key != remote.KeyDown || ev.Source != "network" {
		t.Errorf("event %+v", ev)
	}
	phones := n.Phones()
	if len(phones) != 1 || phones[0].Name != "walk phone" {
		t.Fatalf("phones %+v", phones)
	}
	if err := n.Remove(phones[0].ID); err != nil {
		t.Fatal(err)
	}
	if status, _ := post("/api/v1/keys", paired.Token, `{"key":"down"}`); status != http.StatusUnauthorized {
		t.Errorf("a removed phone's key: %d; want 401", status)
	}
	n.SetEnabled(false)
	if a := n.addr(); a != "" {
		t.Errorf("still listening on %s once off", a)
	}
	if _, err := http.Get(base + "/"); err == nil {
		t.Errorf("%s answers once off", base)
	}
}
