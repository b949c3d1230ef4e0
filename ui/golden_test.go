package ui

import (
	"errors"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
	"github.com/manbang/manbang/player/media"
	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/remote/pairing"
	"github.com/manbang/manbang/ui/app"
	"github.com/manbang/manbang/ui/app/apptest"
	"github.com/manbang/manbang/ui/golden"
	"github.com/manbang/manbang/ui/screen"
)

// Golden screenshots of every screen, drawn by the whole UI against the
// fake operator with a fixed clock. `make golden` rewrites them
// (go test -run Golden ./ui/gfx ./ui -update); a failure leaves NAME.actual.png
// and NAME.diff.png in testdata.

// testFrame is a synthetic 4:3 video picture: eight colour bars over a
// grey ramp, so the goldens show the video letterboxed.
func testFrame() *media.VideoFrame {
	f := media.NewPool(1).Get(320, 240)
	bars := [][3]uint8{{235, 128, 128}, {210, 16, 146}, {170, 166, 16}, {145, 54, 34}, {106, 202, 222}, {81, 90, 240}, {41, 240, 110}, {16, 128, 128}}
	cw := f.ChromaWidth()
	for y := 0; y < f.Height; y++ {
		for x := 0; x < f.Width; x++ {
			b := bars[x*len(bars)/f.Width]
			if y > f.Height*3/4 {
				b = [3]uint8{uint8(16 + x*219/f.Width), 128, 128}
			}
			f.Y[y*f.Width+x] = b[0]
			if y%2 == 0 && x%2 == 0 {
				f.U[(y/2)*cw+x/2], f.V[(y/2)*cw+x/2] = b[1], b[2]
			}
		}
	}
	return f
}

// stillControl is a paused playback a minute and a half into its title.
type stillControl struct{ paused bool }

func (c *stillControl) SetPaused(p bool) { c.paused = p }
func (c *stillControl) Status() screen.Status {
	return screen.Status{PositionMS: 95000, Width: 320, Height: 240, VideoCodec: "h264", AudioCodec: "mp3", AudioLang: "ko",
		AudioOutput: "silent", BitrateKbps: 1450, PresentedFrames: 2375, DroppedFrames: 3, AVDriftMSMax: 12}
}
func (c *stillControl) Seek(time.Duration) error           { return errors.ErrUnsupported }
func (c *stillControl) SetSpeed(float64) error             { return errors.ErrUnsupported }
func (c *stillControl) AudioTracks() ([]screen.Track, int) { return []screen.Track{{Lang: "ko"}}, 0 }
func (c *stillControl) SetAudioTrack(int) error            { return errors.ErrUnsupported }
func (c *stillControl) Subtitles() ([]screen.Track, int)   { return nil, -1 }
func (c *stillControl) SetSubtitles(int) error             { return errors.ErrUnsupported }

func TestGoldenScreens(t *testing.T) {
	needGL(t)
	cases := []struct {
		name  string
		lang  string
		drive func(ta *testApp)
	}{
		{"home_ko", "ko", homeReady},
		{"home_ru_overscan", "ru", func(ta *testApp) {
			homeReady(ta)
			s := ta.State().Settings
			s.Overscan = 5
			ta.Apply(s)
			ta.press(remote.KeyDown)
			ta.calm()
		}},
		{"grid_en", "en", func(ta *testApp) {
			homeReady(ta)
			ta.press(remote.KeyDown)
			for range 6 {
				ta.press(remote.KeyRight)
			}
			// The grid's keys wait for its titles: pressed before they
			// load, they would move a focus that is not there yet.
			ta.press(remote.KeyOK)
			topIs(ta, "grid", func(s any) bool { return s.(screen.GridState).Loaded > 0 })
			ta.press(remote.KeyRight)
			ta.calm()
		}},
		{"detail_en", "en", func(ta *testApp) {
			ta.State().SetResume(ta.op.Titles[2], 250*time.Second, apptest.T0)
			homeReady(ta)
			ta.press(remote.KeyDown, remote.KeyDown, remote.KeyRight, remote.KeyRight, remote.KeyOK)
			topIs(ta, "detail", nil)
		}},
		{"search_ko", "ko", func(ta *testApp) {
			homeReady(ta)
			ta.press(remote.KeyBlue)
			// 다 = ㄷ (row 0, col 2), ㅏ (row 1, col 7); 큐 = ㅋ (row 2, col 0), ㅠ (row 2, col 4).
			ta.press(remote.KeyRight, remote.KeyRight, remote.KeyOK)
			ta.press(remote.KeyDown, remote.KeyRight, remote.KeyRight, remote.KeyRight, remote.KeyRight, remote.KeyRight, remote.KeyOK)
			ta.press(remote.KeyDown, remote.KeyLeft, remote.KeyLeft, remote.KeyLeft, remote.KeyLeft, remote.KeyLeft, remote.KeyLeft, remote.KeyLeft, remote.KeyOK)
			ta.press(remote.KeyRight, remote.KeyRight, remote.KeyRight, remote.KeyRight, remote.KeyOK)
			ta.clock.advance(time.Second)
			topIs(ta, "search", func(s any) bool { return s.(screen.SearchState).Status == "done" })
		}},
		{"live_ko", "ko", func(ta *testApp) {
			homeReady(ta)
			ta.press(remote.KeyRed)
			topIs(ta, "live", func(s any) bool { return s.(screen.LiveState).Channels > 0 })
			ta.press(remote.KeyDown, remote.KeyDown)
			topIs(ta, "live", func(s any) bool { return s.(screen.LiveState).Now != "" })
		}},
		{"guide_en", "en", func(ta *testApp) {
			homeReady(ta)
			ta.press(remote.KeyGreen)
			topIs(ta, "guide", func(s any) bool { return s.(screen.GuideState).Programmes > 0 })
			ta.press(remote.KeyDown, remote.KeyRight)
			ta.calm()
		}},
		{"player_en", "en", func(ta *testApp) {
			homeReady(ta)
			p := screen.NewPlayer(ta, ta.op.Titles[3])
			p.SetTransport(&stillControl{})
			p.SetFrame(testFrame())
			ta.Push(p)
			ta.press(remote.KeyPlayPause, remote.KeyInfo, remote.KeyVolumeDown)
		}},
		{"live_player_ko", "ko", func(ta *testApp) {
			homeReady(ta)
			var chs []operator.Channel
			var progs []operator.Programme
			ta.Channels(func(l []operator.Channel, _ error) { chs = l })
			ta.Guide(apptest.T0.Add(-3*time.Hour), apptest.T0.Add(6*time.Hour), func(l []operator.Programme, _ error) { progs = l })
			ta.settle("the channels and the guide", func() bool { return chs != nil && progs != nil })
			ch := chs[2]
			now, next := app.ProgrammeAt(progs, ch.ID, apptest.T0)
			p := screen.NewLivePlayer(ta, ch, now, next)
			p.SetTransport(&stillControl{})
			p.SetFrame(testFrame())
			ta.Push(p)
			ta.settle("the logo", func() bool { return true })
		}},
		{"settings_ru", "ru", func(ta *testApp) {
			homeReady(ta)
			ta.press(remote.KeyMenu)
			topIs(ta, "settings", func(s any) bool { return s.(screen.SettingsState).Values["network"] != "" })
			// What depends on the machine and the test server's port is
			// fixed for the picture; nothing is sent there.
			ta.State().Settings.Operator = "https://operator.example:8443"
			ta.Top().(*screen.Settings).SetNetwork(screen.NetStatus{Addresses: []string{"eth0 192.0.2.10"}})
			ta.press(remote.KeyDown, remote.KeyDown)
		}},
		{"privacy_ko", "ko", func(ta *testApp) {
			homeReady(ta)
			st := ta.State()
			st.Recent = []string{"김치", "뉴스", "강"}
			st.LastChannel = "news24"
			st.SetResume(ta.op.Titles[3], 95*time.Second, apptest.T0)
			ta.Push(screen.NewPrivacy(ta))
			ta.press(remote.KeyDown)
		}},
		{"phone_remote_en", "en", func(ta *testApp) {
			homeReady(ta)
			ta.press(remote.KeyMenu)
			topIs(ta, "settings", nil)
			ta.Push(screen.NewPhoneRemote(ta))
			ta.press(remote.KeyDown, remote.KeyOK)
			topIs(ta, "phone_remote", func(s any) bool { return s.(screen.PhoneRemoteState).Armed })
		}},
		{"pin_en", "en", func(ta *testApp) {
			s := ta.State().Settings
			s.ParentalRating = "15"
			ta.Apply(s)
			homeReady(ta)
			ta.press(remote.KeyDown, remote.KeyDown, remote.KeyDown, remote.KeyRight, remote.KeyOK, remote.KeyOK) // Midnight Chase, 19
			topIs(ta, "pin", nil)
			ta.press(remote.Key1, remote.Key2)
		}},
		{"home_stale_en", "en", func(ta *testApp) {
			// The rows kept from the last run, before the operator answers.
			homeReady(ta)
			ta.Top().(*screen.Home).SetStale(true)
		}},
		{"error_server_en", "en", func(ta *testApp) {
			homeFailed(ta)
			ta.Top().(*screen.Home).SetError(errors.New("operator: GET http://operator.example:8080/api/v1/categories: connection refused"), apptest.T0)
		}},
		{"error_network_ko", "ko", func(ta *testApp) {
			homeFailed(ta)
			ta.Top().(*screen.Home).SetError(&screen.KindError{Kind: screen.FailNetwork, Err: errors.New("operator: GET http://operator.example:8080/api/v1/categories: network unreachable")}, apptest.T0)
		}},
		{"stream_failed_ko", "ko", func(ta *testApp) {
			homeReady(ta)
			ta.press(remote.KeyDown, remote.KeyDown, remote.KeyPlayPause)
			topIs(ta, "player", func(s any) bool { return s.(screen.PlayerState).State == screen.PlayError })
			ta.Top().(*screen.Player).SetError(errors.New("source: http://operator.example:8080/media/t0.ts: 404 Not Found"), func() {})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			op := apptest.NewFakeOperator(t)
			if c.name == "error_server_en" || c.name == "error_network_ko" {
				op.FailUntil = 1 << 30
			}
			ta := startApp(t, op, func(cfg *app.Config) {
				cfg.Lang = c.lang
				if c.name == "phone_remote_en" {
					cfg.Remote = newFixedRemote(t)
				}
			})
			c.drive(ta)
			golden.Check(t, c.name, ta.capture())
		})
	}
}

// fixedRemote is a network remote with a fixed address, code and phone,
// for the picture: the real one's port and code change with every run.
type fixedRemote struct {
	qr [][]bool
}

func newFixedRemote(t *testing.T) *fixedRemote {
	qr, err := pairing.QRModules("http://192.0.2.10:7080/pair")
	if err != nil {
		t.Fatal(err)
	}
	return &fixedRemote{qr: qr}
}

func (f *fixedRemote) SetEnabled(bool) {}
func (f *fixedRemote) Arm() (app.Pairing, error) {
	return app.Pairing{URL: "http://192.0.2.10:7080/pair", Code: "40718263", Until: apptest.T0.Add(3 * time.Minute), QR: f.qr}, nil
}
func (f *fixedRemote) Armed() (string, time.Time, bool) {
	return "40718263", apptest.T0.Add(3 * time.Minute), true
}
func (f *fixedRemote) Disarm() {}
func (f *fixedRemote) Phones() []app.Phone {
	return []app.Phone{{ID: "ab12cd34", Name: "Ana's phone", Paired: apptest.T0.Add(-48 * time.Hour)}}
}
func (f *fixedRemote) Remove(string) error { return nil }
