package demux

import (
	"bytes"

	"github.com/manbang/manbang/player/media"
)

// maxKeyframeScan bounds how far into an access unit IsKeyframe looks: the
// NAL units that say so come first, after parameter sets and SEI.
const maxKeyframeScan = 64 * 1024

// IsKeyframe reports whether an access unit of the given video codec
// starts a picture that decodes on its own: an H.264 IDR picture, an HEVC
// IRAP picture (IDR, CRA, BLA), an MPEG-2 I picture. It reads Annex-B
// start codes and never fails: anything else is not a keyframe. Muxers
// that do not set the random access indicator rely on it.
func IsKeyframe(codec string, au []byte) bool {
	au = au[:min(len(au), maxKeyframeScan)]
	for {
		i := bytes.Index(au, []byte{0, 0, 1})
		if i < 0 || i+3 >= len(au) {
			return false
		}
		au = au[i+3:]
		switch codec {
		case media.CodecH264:
			switch au[0] & 0x1F {
			case 5:
				return true
			case 1:
				return false // a non-IDR slice comes first
			}
		case media.CodecHEVC:
			switch t := (au[0] >> 1) & 0x3F; {
			case t >= 16 && t <= 21:
				return true
			case t <= 9:
				return false
			}
		case media.CodecMPEG2Video:
			// picture_start_code, then temporal_reference (10 bits) and
			// picture_coding_type (3 bits): 1 is I.
			if au[0] == 0 && len(au) >= 3 {
				return (au[2]>>3)&7 == 1
			}
		default:
			return false
		}
	}
}
