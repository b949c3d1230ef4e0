// Package keymaps holds the box's built-in key maps (*.map, the format of
// remote/keymap), embedded in the binary.
package keymaps

import "embed"

// FS holds the built-in *.map files.
//
//go:embed *.map
var FS embed.FS
