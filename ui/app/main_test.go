package app

import (
	"os"
	"testing"
)

// TestMain removes the fixtures the tests share once they are all done.
// The app's tests need no display.
func TestMain(m *testing.M) {
	code := m.Run()
	runExits()
	os.Exit(code)
}
