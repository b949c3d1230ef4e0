package sources

import (
	"os"
	"strings"
	"testing"

	"github.com/manbang/manbang/remote/cec"
	"github.com/manbang/manbang/remote/evdev"
	"github.com/manbang/manbang/remote/keymap"
	"github.com/manbang/manbang/remote/lirc"
)

// The key map examples in docs/REMOTES.md are good key maps.
func TestDocumentedKeymapExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/REMOTES.md")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	inBlock := false
	for _, l := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(l, "```") {
			inBlock = !inBlock
			continue
		}
		f := strings.Fields(l)
		if inBlock && len(f) > 0 && (f[0] == "evdev" || f[0] == "lirc" || f[0] == "cec" || f[0] == "keyboard") {
			lines = append(lines, l)
		}
	}
	if len(lines) < 10 {
		t.Fatalf("found %d example lines", len(lines))
	}
	entries, errs := keymap.Parse("REMOTES.md", strings.NewReader(strings.Join(lines, "\n")))
	m := &keymap.Map{}
	m.Add(entries...)
	_, e1 := keymap.Resolve(m.Entries(keymap.Evdev), evdev.KeyCode)
	_, e2 := keymap.Resolve(m.Entries(keymap.LIRC), lirc.KeyName)
	_, e3 := keymap.Resolve(m.Entries(keymap.CEC), cec.CommandCode)
	for _, err := range append(append(append(errs, e1...), e2...), e3...) {
		t.Error(err)
	}
}
