// Package sources starts every input source the box has (evdev remotes,
// lircd, the TV's remote over HDMI-CEC) with the key maps, and merges them
// in one remote.Hub. Sources absent on the machine are skipped with a log
// line. The keyboard and the control endpoint are the UI's to attach: they
// send to the Hub's Input.
package sources

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/remote/cec"
	"github.com/manbang/manbang/remote/evdev"
	"github.com/manbang/manbang/remote/keymap"
	"github.com/manbang/manbang/remote/lirc"
)

// DefaultKeymapDir is where a technician puts extra key maps (*.map).
const DefaultKeymapDir = "/etc/manbang/keymaps"

// EvdevConfig configures the Linux input devices source.
type EvdevConfig struct {
	Disable bool
	Dir     string        // default /dev/input
	Rescan  time.Duration // default 5 s
	Opener  evdev.Opener  // default evdev.System{}; tests use plain files
}

// LIRCConfig configures the lircd source.
type LIRCConfig struct {
	Disable bool
	Socket  string // default lirc.DefaultSocket
}

// CECConfig configures the HDMI-CEC source.
type CECConfig struct {
	Disable bool
	Device  string // default cec.DefaultDevice
	OSDName string // the box's name on the TV's menus (default "Manbang")
	// OneTouchPlay switches the TV on and to the box at start.
	OneTouchPlay bool
}

// Config configures Start.
type Config struct {
	Evdev EvdevConfig
	LIRC  LIRCConfig
	CEC   CECConfig
	// KeymapDirs are read after the built-in key maps, in order
	// (typically DefaultKeymapDir and a --keymaps flag); missing ones are
	// skipped.
	KeymapDirs []string
	Hub        remote.HubConfig
	Logger     *slog.Logger
}

// Inputs is the box's running input sources.
type Inputs struct {
	// Hub has the merged events (Events) and takes the keyboard's and the
	// control endpoint's (Input).
	*remote.Hub
	// Keymap is the key maps read, for keyboard.Load.
	Keymap *keymap.Map
	// CEC is the HDMI-CEC source, for One Touch Play and Standby; nil
	// when the box has no adapter.
	CEC *cec.Source

	stop func() bool
}

// Start starts the sources the machine has. Nothing absent is an error:
// it returns an error only when ctx has already ended. When ctx ends, the
// sources stop as if Close were called.
func Start(ctx context.Context, cfg Config) (*Inputs, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if cfg.Hub.Logger == nil {
		cfg.Hub.Logger = log
	}
	km, errs := keymap.Load(cfg.KeymapDirs)
	warn := func(errs []error) {
		for _, err := range errs {
			log.Warn("remote: key map line ignored", "err", err)
		}
	}
	warn(errs)

	in := &Inputs{Hub: remote.NewHub(cfg.Hub), Keymap: km}
	in.stop = context.AfterFunc(ctx, func() { in.Hub.Close() })

	if e := cfg.Evdev; e.Disable {
		log.Info("remote: evdev off in the settings")
	} else {
		if e.Dir == "" {
			e.Dir = "/dev/input"
		}
		if _, err := os.Stat(e.Dir); err != nil {
			log.Info("remote: no input devices; evdev skipped", "dir", e.Dir, "err", err)
		} else {
			keys, errs := keymap.Resolve(km.Entries(keymap.Evdev), evdev.KeyCode)
			warn(errs)
			in.Add("evdev", evdev.New(evdev.Config{Dir: e.Dir, Keys: keys, Opener: e.Opener, Rescan: e.Rescan, Logger: log}))
		}
	}

	if l := cfg.LIRC; l.Disable {
		log.Info("remote: LIRC off in the settings")
	} else {
		if l.Socket == "" {
			l.Socket = lirc.DefaultSocket
		}
		if _, err := os.Stat(l.Socket); err != nil {
			log.Info("remote: no lircd socket; LIRC skipped", "socket", l.Socket)
		} else {
			keys, errs := keymap.Resolve(km.Entries(keymap.LIRC), lirc.KeyName)
			warn(errs)
			in.Add("lirc", lirc.New(lirc.Config{Socket: l.Socket, Keys: keys, Logger: log}))
		}
	}

	if c := cfg.CEC; c.Disable {
		log.Info("remote: HDMI-CEC off in the settings")
	} else {
		if c.Device == "" {
			c.Device = cec.DefaultDevice
		}
		if c.OSDName == "" {
			c.OSDName = "Manbang"
		}
		if _, err := os.Stat(c.Device); err != nil {
			log.Info("remote: no CEC adapter; HDMI-CEC skipped", "device", c.Device)
		} else if dev, err := cec.Open(c.Device, c.OSDName); err != nil {
			log.Warn("remote: HDMI-CEC skipped", "err", err)
		} else {
			keys, errs := keymap.Resolve(km.Entries(keymap.CEC), cec.CommandCode)
			warn(errs)
			in.CEC = cec.NewSource(dev, cec.Config{Keys: keys, Logger: log})
			in.Add("cec", in.CEC)
			if c.OneTouchPlay {
				if err := in.CEC.OneTouchPlay(); err != nil {
					log.Warn("remote: One Touch Play", "err", err)
				}
			}
		}
	}
	return in, nil
}

// Close stops every source and the Hub.
func (in *Inputs) Close() error {
	in.stop()
	err := in.Hub.Close()
	if in.CEC != nil {
		in.CEC.Close() // Run closed it already unless it never ran
	}
	return err
}
