package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
)

// Orientation is EXIF's orientation tag (0x0112): how the stored picture
// is turned from the way it was taken. 1 is upright; 0 means none given.
type Orientation int

// maxMarkers bounds the JPEG segments read looking for EXIF.
const maxMarkers = 64

var errNoEXIF = errors.New("no EXIF orientation")

// ReadOrientation returns the EXIF orientation of a JPEG, 1 when it has
// none or it cannot be read: a picture is then shown as stored.
func ReadOrientation(r io.Reader) Orientation {
	o, err := readOrientation(r)
	if err != nil || o < 1 || o > 8 {
		return 1
	}
	return o
}

// readOrientation walks the JPEG's segments up to the first scan, looking
// for an APP1 Exif segment.
func readOrientation(r io.Reader) (Orientation, error) {
	var soi [2]byte
	if _, err := io.ReadFull(r, soi[:]); err != nil || soi != [2]byte{0xff, 0xd8} {
		return 0, errNoEXIF
	}
	for i := 0; i < maxMarkers; i++ {
		var m [4]byte
		if _, err := io.ReadFull(r, m[:]); err != nil || m[0] != 0xff {
			return 0, errNoEXIF
		}
		n := int(binary.BigEndian.Uint16(m[2:])) - 2
		if n < 0 || m[1] == 0xda { // start of scan: no more metadata
			return 0, errNoEXIF
		}
		if m[1] != 0xe1 {
			if _, err := io.CopyN(io.Discard, r, int64(n)); err != nil {
				return 0, errNoEXIF
			}
			continue
		}
		seg := make([]byte, n)
		if _, err := io.ReadFull(r, seg); err != nil {
			return 0, errNoEXIF
		}
		if bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
	}
	return 0, errNoEXIF
}

// tiffOrientation reads the orientation from IFD0 of a TIFF header.
func tiffOrientation(b []byte) (Orientation, error) {
	if len(b) < 8 {
		return 0, errNoEXIF
	}
	var bo binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0, errNoEXIF
	}
	if bo.Uint16(b[2:]) != 42 {
		return 0, errNoEXIF
	}
	off := int(bo.Uint32(b[4:]))
	if off < 8 || off+2 > len(b) {
		return 0, errNoEXIF
	}
	n := int(bo.Uint16(b[off:]))
	for i := 0; i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > len(b) {
			break
		}
		if bo.Uint16(b[e:]) == 0x0112 && bo.Uint16(b[e+2:]) == 3 { // SHORT
			return Orientation(bo.Uint16(b[e+8:])), nil
		}
	}
	return 0, errNoEXIF
}
