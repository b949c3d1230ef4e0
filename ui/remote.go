package ui

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"time"

	"github.com/manbang/manbang/remote/control"
	"github.com/manbang/manbang/remote/pairing"
	"github.com/manbang/manbang/ui/app"
)

// networkRemote is the network remote for phones (the control endpoint
// with pairing, on its own listener) as the app uses it (app.Remote). It
// listens only while the settings have it on: a box whose viewer never
// turned it on opens no port. The app is made before the shell starts the
// remote, so the switch is kept until then.
type networkRemote struct {
	pairer *pairing.Pairer
	log    *slog.Logger

	mu  sync.Mutex
	cfg *control.Config // nil until start
	srv *control.Server // nil while off
	on  bool
}

// newNetworkRemote makes the pairer, its paired phones kept in
// stateDir/remotes.json (in memory when stateDir is empty). changed is
// called when pairing closes or its code changes by itself.
func newNetworkRemote(stateDir string, log *slog.Logger, changed func()) (*networkRemote, error) {
	var store pairing.Store = &pairing.MemoryStore{}
	if stateDir != "" {
		store = pairing.FileStore{Path: filepath.Join(stateDir, "remotes.json")}
	}
	p, err := pairing.New(pairing.Config{Store: store, Changed: changed})
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	return &networkRemote{pairer: p, log: log}, nil
}

// start configures the network remote on cfg.Addr, where every client,
// whatever its address (loopback too), pairs and shows its token, and
// listens if the settings have it on.
func (n *networkRemote) start(cfg control.Config) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	cfg.Auth, cfg.Pairer, cfg.Source = control.AuthPairing, n.pairer, "network"
	n.cfg = &cfg
	if n.on {
		return n.listen()
	}
	return nil
}

// listen starts the listener; n.mu is held.
func (n *networkRemote) listen() error {
	srv, err := control.Listen(*n.cfg)
	if err != nil {
		return fmt.Errorf("network remote: %w", err)
	}
	n.srv = srv
	n.log.Info("network remote on http://" + srv.Addr())
	return nil
}

// addr is where the network remote listens, "" while it does not.
func (n *networkRemote) addr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.srv == nil {
		return ""
	}
	return n.srv.Addr()
}

func (n *networkRemote) close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.srv != nil {
		n.srv.Close()
		n.srv = nil
	}
}

// SetEnabled implements app.Remote: on, the remote listens; off, it
// closes its listener and its phones' sessions, and pairing.
func (n *networkRemote) SetEnabled(on bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.on = on
	switch {
	case !on:
		n.pairer.Disarm()
		if n.srv != nil {
			n.srv.Close()
			n.srv = nil
		}
	case n.srv == nil && n.cfg != nil:
		if err := n.listen(); err != nil {
			n.log.Warn("network remote", "err", err)
		}
	}
}

// Arm implements app.Remote: the QR code holds the phone page's address
// on the box's address that phones reach.
func (n *networkRemote) Arm() (app.Pairing, error) {
	n.mu.Lock()
	srv := n.srv
	n.mu.Unlock()
	if srv == nil {
		return app.Pairing{}, errors.New("network remote: not listening (see the log)")
	}
	host, err := reachableHost(srv.Addr())
	if err != nil {
		return app.Pairing{}, err
	}
	url := srv.PairingURL(host)
	qr, err := pairing.QRModules(url)
	if err != nil {
		return app.Pairing{}, err
	}
	code, until, err := n.pairer.Arm()
	if err != nil {
		return app.Pairing{}, err
	}
	return app.Pairing{URL: url, Code: code, Until: until, QR: qr}, nil
}

// Armed implements app.Remote.
func (n *networkRemote) Armed() (string, time.Time, bool) { return n.pairer.Armed() }

// Disarm implements app.Remote.
func (n *networkRemote) Disarm() { n.pairer.Disarm() }

// Phones implements app.Remote.
func (n *networkRemote) Phones() []app.Phone {
	var out []app.Phone
	for _, c := range n.pairer.Clients() {
		out = append(out, app.Phone{ID: c.ID, Name: c.Name, Paired: c.Paired})
	}
	return out
}

// Remove implements app.Remote.
func (n *networkRemote) Remove(id string) error { return n.pairer.Revoke(id) }

// reachableHost is the address phones reach the listener at addr on: its
// own IP when it listens on one, else the box's first address on an
// interface that is up (IPv4 first), loopback and link-local left out.
func reachableHost(addr string) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("network remote: address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip != nil && !ip.IsUnspecified() {
		return host, nil
	}
	ifs, err := net.Interfaces()
	if err != nil {
		return "", fmt.Errorf("network remote: interfaces: %w", err)
	}
	var v6 string
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
				continue
			}
			if ipn.IP.To4() != nil {
				return ipn.IP.String(), nil
			}
			if v6 == "" {
				v6 = ipn.IP.String()
			}
		}
	}
	if v6 != "" {
		return v6, nil
	}
	return "", fmt.Errorf("network remote: %w", app.ErrNoAddress)
}
