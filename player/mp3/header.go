package mp3

// header is the part of an MPEG audio frame header the decoder needs.
type header struct {
	sampleRate int
	samples    int // sample frames per channel in the frame
	size       int // frame length in bytes, header included
}

// Bit rates in kbit/s of Layer III, by MPEG-1 and MPEG-2 and bit rate index.
var bitrates = [2][16]int{
	{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0},
	{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0},
}

// Sample rates in Hz by MPEG-1 and MPEG-2 and sample rate index.
var sampleRates = [2][4]int{
	{44100, 48000, 32000, 0},
	{22050, 24000, 16000, 0},
}

// parseHeader reads the 4-byte header at the start of b. It accepts only
// what go-mp3 decodes: MPEG-1 or MPEG-2 Layer III with a fixed bit rate.
func parseHeader(b []byte) (header, bool) {
	if len(b) < 4 || b[0] != 0xff || b[1]&0xe0 != 0xe0 {
		return header{}, false
	}
	var lsf int // 0 for MPEG-1, 1 for MPEG-2 (low sampling frequencies)
	switch (b[1] >> 3) & 3 {
	case 3:
		lsf = 0
	case 2:
		lsf = 1
	default: // MPEG-2.5 or reserved
		return header{}, false
	}
	if (b[1]>>1)&3 != 1 { // Layer III
		return header{}, false
	}
	kbps := bitrates[lsf][b[2]>>4]
	rate := sampleRates[lsf][(b[2]>>2)&3]
	if kbps == 0 || rate == 0 || b[3]&3 == 2 { // free format, bad index, reserved emphasis
		return header{}, false
	}
	padding := int(b[2]>>1) & 1
	return header{
		sampleRate: rate,
		samples:    1152 >> lsf,
		size:       (144*1000*kbps/rate)>>lsf + padding,
	}, true
}

// syncOffset returns the offset of the first frame header in b, or -1.
func syncOffset(b []byte) int {
	for i := 0; i+4 <= len(b); i++ {
		if b[i] == 0xff {
			if _, ok := parseHeader(b[i:]); ok {
				return i
			}
		}
	}
	return -1
}
