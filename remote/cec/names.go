package cec

import (
	"fmt"
	"strconv"
	"strings"
)

// uiCommands are the UI command codes of User Control Pressed by the names
// cec-ctl prints (linux/cec.h CEC_OP_UI_CMD_*, lower case with hyphens).
var uiCommands = map[string]byte{
	"select":                       0x00,
	"up":                           0x01,
	"down":                         0x02,
	"left":                         0x03,
	"right":                        0x04,
	"right-up":                     0x05,
	"right-down":                   0x06,
	"left-up":                      0x07,
	"left-down":                    0x08,
	"device-root-menu":             0x09,
	"device-setup-menu":            0x0a,
	"contents-menu":                0x0b,
	"favorite-menu":                0x0c,
	"back":                         0x0d,
	"media-top-menu":               0x10,
	"media-context-sensitive-menu": 0x11,
	"number-entry-mode":            0x1d,
	"number-11":                    0x1e,
	"number-12":                    0x1f,
	"number-0-or-number-10":        0x20,
	"number-1":                     0x21,
	"number-2":                     0x22,
	"number-3":                     0x23,
	"number-4":                     0x24,
	"number-5":                     0x25,
	"number-6":                     0x26,
	"number-7":                     0x27,
	"number-8":                     0x28,
	"number-9":                     0x29,
	"dot":                          0x2a,
	"enter":                        0x2b,
	"clear":                        0x2c,
	"next-favorite":                0x2f,
	"channel-up":                   0x30,
	"channel-down":                 0x31,
	"previous-channel":             0x32,
	"sound-select":                 0x33,
	"input-select":                 0x34,
	"display-information":          0x35,
	"help":                         0x36,
	"page-up":                      0x37,
	"page-down":                    0x38,
	"power":                        0x40,
	"volume-up":                    0x41,
	"volume-down":                  0x42,
	"mute":                         0x43,
	"play":                         0x44,
	"stop":                         0x45,
	"pause":                        0x46,
	"record":                       0x47,
	"rewind":                       0x48,
	"fast-forward":                 0x49,
	"eject":                        0x4a,
	"skip-forward":                 0x4b,
	"skip-backward":                0x4c,
	"stop-record":                  0x4d,
	"pause-record":                 0x4e,
	"angle":                        0x50,
	"sub-picture":                  0x51,
	"video-on-demand":              0x52,
	"electronic-program-guide":     0x53,
	"timer-programming":            0x54,
	"initial-configuration":        0x55,
	"select-broadcast-type":        0x56,
	"select-sound-presentation":    0x57,
	"audio-description":            0x58,
	"internet":                     0x59,
	"3d-mode":                      0x5a,
	"play-function":                0x60,
	"pause-play-function":          0x61,
	"record-function":              0x62,
	"pause-record-function":        0x63,
	"stop-function":                0x64,
	"mute-function":                0x65,
	"restore-volume-function":      0x66,
	"tune-function":                0x67,
	"select-media-function":        0x68,
	"select-av-input-function":     0x69,
	"select-audio-input-function":  0x6a,
	"power-toggle-function":        0x6b,
	"power-off-function":           0x6c,
	"power-on-function":            0x6d,
	"f1-blue":                      0x71,
	"f2-red":                       0x72,
	"f3-green":                     0x73,
	"f4-yellow":                    0x74,
	"f5":                           0x75,
	"data":                         0x76,
}

// CommandCode returns the UI command code of a name as cec-ctl prints it
// ("select", "f1-blue"; underscores and case do not matter) or of a number
// (0x00 to 0xff).
func CommandCode(name string) (byte, error) {
	n := strings.ReplaceAll(strings.ToLower(name), "_", "-")
	if c, ok := uiCommands[n]; ok {
		return c, nil
	}
	c, err := strconv.ParseUint(name, 0, 8)
	if err != nil {
		return 0, fmt.Errorf("unknown CEC UI command %q (want a name as cec-ctl prints it, or a code 0x00-0xff)", name)
	}
	return byte(c), nil
}

// CommandName returns the name of a UI command code, or its number.
func CommandName(code byte) string {
	for n, c := range uiCommands {
		if c == code {
			return n
		}
	}
	return fmt.Sprintf("%#02x", code)
}
