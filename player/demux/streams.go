package demux

import (
	"github.com/asticode/go-astits"

	"github.com/manbang/manbang/player/media"
)

// esInfo is what the demuxer knows about one elementary stream of the
// followed program.
type esInfo struct {
	stream     media.Stream
	streamType astits.StreamType
	// mpegAudio is set for stream types 0x03/0x04 until the first frame
	// has told Layer II from Layer III.
	mpegAudio bool
	noHold    bool  // Next no longer holds packets back for mpegAudio
	lastDTS   int64 // last unwrapped DTS in 90 kHz ticks, for jump detection
	hasDTS    bool
	rai       bool // the muxer flags random access points on this stream
	// gen is the input timeline (count of input breaks) of the last packet
	// returned; starts holds the first transport packets of the PES being
	// completed and of the one begun after it, with their timelines.
	gen    int
	starts [2]pesStart
}

// pesStart is the first transport packet of a PES and the input timeline
// it arrived in.
type pesStart struct {
	pkt *astits.Packet
	gen int
}

// started notes that a PES begins with p, in input timeline gen. astits
// completes a PES when the next one starts, so two are tracked.
func (es *esInfo) started(p *astits.Packet, gen int) {
	es.starts[0], es.starts[1] = es.starts[1], pesStart{p, gen}
}

// genOf returns the input timeline a PES whose first packet is first
// began in, or def when it is not known.
func (es *esInfo) genOf(first *astits.Packet, def int) int {
	for _, s := range es.starts {
		if s.pkt != nil && s.pkt == first {
			return s.gen
		}
	}
	return def
}

// Registration descriptor format identifiers (ATSC A/52 and E-AC-3).
const (
	formatAC3  = 0x41432d33 // "AC-3"
	formatEAC3 = 0x45414333 // "EAC3"
)

// describeStream maps a PMT entry to a media.Stream. The second result is
// true when the codec depends on the MPEG audio layer of the first frame.
func describeStream(es *astits.PMTElementaryStream) (media.Stream, bool) {
	st := media.Stream{PID: es.ElementaryPID, Language: language(es.ElementaryStreamDescriptors)}
	pending := false
	switch es.StreamType {
	case astits.StreamTypeH264Video:
		st.Kind, st.Codec = media.KindVideo, media.CodecH264
	case astits.StreamTypeH265Video:
		st.Kind, st.Codec = media.KindVideo, media.CodecHEVC
	case astits.StreamTypeMPEG1Video, astits.StreamTypeMPEG2Video:
		st.Kind, st.Codec = media.KindVideo, media.CodecMPEG2Video
	case astits.StreamTypeMPEG4Video, astits.StreamTypeCAVSVideo,
		astits.StreamTypeVC1Video, astits.StreamTypeDIRACVideo:
		st.Kind = media.KindVideo
	case astits.StreamTypeMPEG1Audio, astits.StreamTypeMPEG2Audio:
		// Layer II and Layer III share these stream types; until the
		// first frame says otherwise, assume Layer II, the broadcast norm.
		st.Kind, st.Codec = media.KindAudio, media.CodecMP2
		pending = true
	case astits.StreamTypeADTS:
		st.Kind, st.Codec = media.KindAudio, media.CodecAAC
	case astits.StreamTypeAC3Audio:
		st.Kind, st.Codec = media.KindAudio, media.CodecAC3
	case astits.StreamTypeAACLATMAudio, astits.StreamTypeEAC3Audio,
		astits.StreamTypeDTSAudio, astits.StreamTypeTRUEHDAudio:
		st.Kind = media.KindAudio
	case astits.StreamTypePrivateData:
		st.Kind, st.Codec = privateStream(es.ElementaryStreamDescriptors)
	}
	return st, pending
}

// privateStream identifies a stream of type 0x06 (PES private data) from
// its descriptors: DVB carries AC-3 this way.
func privateStream(ds []*astits.Descriptor) (media.Kind, string) {
	for _, d := range ds {
		switch {
		case d == nil:
		case d.Tag == astits.DescriptorTagAC3:
			return media.KindAudio, media.CodecAC3
		case d.Tag == astits.DescriptorTagEnhancedAC3:
			return media.KindAudio, ""
		case d.Tag == astits.DescriptorTagRegistration && d.Registration != nil:
			switch d.Registration.FormatIdentifier {
			case formatAC3:
				return media.KindAudio, media.CodecAC3
			case formatEAC3:
				return media.KindAudio, ""
			}
		}
	}
	return media.KindUnknown, ""
}

// language returns the first ISO 639 language code among ds, or "".
func language(ds []*astits.Descriptor) string {
	for _, d := range ds {
		if d == nil || d.Tag != astits.DescriptorTagISO639LanguageAndAudioType || d.ISO639LanguageAndAudioType == nil {
			continue
		}
		lang := d.ISO639LanguageAndAudioType.Language
		n := 0
		for n < len(lang) && (lang[n] >= 'a' && lang[n] <= 'z' || lang[n] >= 'A' && lang[n] <= 'Z') {
			n++
		}
		if n > 0 {
			return string(lang[:n])
		}
	}
	return ""
}

// mpegAudioCodec inspects the first MPEG audio frame header in b and
// returns the codec its layer calls for: mp3 for Layer III, mp2 for Layer II,
// "" for Layer I (no decoder for it here). ok is false when b holds no
// plausible frame header.
func mpegAudioCodec(b []byte) (codec string, ok bool) {
	const maxScan = 4096
	for i := 0; i+3 <= len(b) && i < maxScan; i++ {
		if b[i] != 0xFF || b[i+1]&0xE0 != 0xE0 {
			continue
		}
		version := (b[i+1] >> 3) & 3
		layer := (b[i+1] >> 1) & 3
		bitrate := b[i+2] >> 4
		rate := (b[i+2] >> 2) & 3
		if version == 1 || layer == 0 || bitrate == 15 || rate == 3 {
			continue
		}
		switch layer {
		case 1:
			return media.CodecMP3, true
		case 2:
			return media.CodecMP2, true
		default:
			return "", true
		}
	}
	return "", false
}
