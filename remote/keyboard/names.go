package keyboard

import "github.com/go-gl/glfw/v3.3/glfw"

// keyNames are GLFW's key names (its Key constants without "Key", in lower
// case): the names of keyboard lines in key maps.
var keyNames = map[string]glfw.Key{
	"space": glfw.KeySpace, "apostrophe": glfw.KeyApostrophe, "comma": glfw.KeyComma,
	"minus": glfw.KeyMinus, "period": glfw.KeyPeriod, "slash": glfw.KeySlash, "0": glfw.Key0,
	"1": glfw.Key1, "2": glfw.Key2, "3": glfw.Key3, "4": glfw.Key4, "5": glfw.Key5, "6": glfw.Key6,
	"7": glfw.Key7, "8": glfw.Key8, "9": glfw.Key9, "semicolon": glfw.KeySemicolon,
	"equal": glfw.KeyEqual, "a": glfw.KeyA, "b": glfw.KeyB, "c": glfw.KeyC, "d": glfw.KeyD,
	"e": glfw.KeyE, "f": glfw.KeyF, "g": glfw.KeyG, "h": glfw.KeyH, "i": glfw.KeyI, "j": glfw.KeyJ,
	"k": glfw.KeyK, "l": glfw.KeyL, "m": glfw.KeyM, "n": glfw.KeyN, "o": glfw.KeyO, "p": glfw.KeyP,
	"q": glfw.KeyQ, "r": glfw.KeyR, "s": glfw.KeyS, "t": glfw.KeyT, "u": glfw.KeyU, "v": glfw.KeyV,
	"w": glfw.KeyW, "x": glfw.KeyX, "y": glfw.KeyY, "z": glfw.KeyZ, "leftbracket": glfw.KeyLeftBracket,
	"backslash": glfw.KeyBackslash, "rightbracket": glfw.KeyRightBracket,
	"graveaccent": glfw.KeyGraveAccent, "world1": glfw.KeyWorld1, "world2": glfw.KeyWorld2,
	"escape": glfw.KeyEscape, "enter": glfw.KeyEnter, "tab": glfw.KeyTab,
	"backspace": glfw.KeyBackspace, "insert": glfw.KeyInsert, "delete": glfw.KeyDelete,
	"right": glfw.KeyRight, "left": glfw.KeyLeft, "down": glfw.KeyDown, "up": glfw.KeyUp,
	"pageup": glfw.KeyPageUp, "pagedown": glfw.KeyPageDown, "home": glfw.KeyHome, "end": glfw.KeyEnd,
	"capslock": glfw.KeyCapsLock, "scrolllock": glfw.KeyScrollLock, "numlock": glfw.KeyNumLock,
	"printscreen": glfw.KeyPrintScreen, "pause": glfw.KeyPause, "f1": glfw.KeyF1, "f2": glfw.KeyF2,
	"f3": glfw.KeyF3, "f4": glfw.KeyF4, "f5": glfw.KeyF5, "f6": glfw.KeyF6, "f7": glfw.KeyF7,
	"f8": glfw.KeyF8, "f9": glfw.KeyF9, "f10": glfw.KeyF10, "f11": glfw.KeyF11, "f12": glfw.KeyF12,
	"f13": glfw.KeyF13, "f14": glfw.KeyF14, "f15": glfw.KeyF15, "f16": glfw.KeyF16, "f17": glfw.KeyF17,
	"f18": glfw.KeyF18, "f19": glfw.KeyF19, "f20": glfw.KeyF20, "f21": glfw.KeyF21, "f22": glfw.KeyF22,
	"f23": glfw.KeyF23, "f24": glfw.KeyF24, "f25": glfw.KeyF25, "kp0": glfw.KeyKP0, "kp1": glfw.KeyKP1,
	"kp2": glfw.KeyKP2, "kp3": glfw.KeyKP3, "kp4": glfw.KeyKP4, "kp5": glfw.KeyKP5, "kp6": glfw.KeyKP6,
	"kp7": glfw.KeyKP7, "kp8": glfw.KeyKP8, "kp9": glfw.KeyKP9, "kpdecimal": glfw.KeyKPDecimal,
	"kpdivide": glfw.KeyKPDivide, "kpmultiply": glfw.KeyKPMultiply, "kpsubtract": glfw.KeyKPSubtract,
	"kpadd": glfw.KeyKPAdd, "kpenter": glfw.KeyKPEnter, "kpequal": glfw.KeyKPEqual,
	"leftshift": glfw.KeyLeftShift, "leftcontrol": glfw.KeyLeftControl, "leftalt": glfw.KeyLeftAlt,
	"leftsuper": glfw.KeyLeftSuper, "rightshift": glfw.KeyRightShift,
	"rightcontrol": glfw.KeyRightControl, "rightalt": glfw.KeyRightAlt,
	"rightsuper": glfw.KeyRightSuper, "menu": glfw.KeyMenu,
}
