package avcodec

import (
	"errors"
	"testing"
	"time"

	"github.com/manbang/manbang/player/media"
)

// TestCorruptPacketError checks that a packet FFmpeg rejects gives an
// error saying so, and that the decoder goes on.
func TestCorruptPacketError(t *testing.T) {
	tests := []struct {
		codec string
		data  []byte
	}{
		{media.CodecMPEG2Video, []byte{0, 0, 1, 0xb3, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 1, 2, 3}},
		{media.CodecAAC, []byte{0xff, 0xf1, 1, 2, 3, 4, 5, 6, 7, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.codec, func(t *testing.T) {
			var decode func(*media.Packet) error
			if v, err := NewVideoDecoder(tt.codec, VideoOptions{}); err == nil {
				defer v.Close()
				decode = func(p *media.Packet) error { _, err := v.Decode(p); return err }
			} else if a, err := NewAudioDecoder(tt.codec); err == nil {
				defer a.Close()
				decode = func(p *media.Packet) error { _, err := a.Decode(p); return err }
			} else {
				t.Fatal(err)
			}
			for i := 0; i < 3; i++ {
				err := decode(&media.Packet{Data: tt.data, HasPTS: true, PTS: time.Second})
				if !errors.Is(err, ErrInvalidData) {
					t.Fatalf("try %d: error %v, want ErrInvalidData", i, err)
				}
				var fe Error
				if !errors.As(err, &fe) {
					t.Errorf("error %v holds no avcodec.Error", err)
				}
			}
		})
	}
}

func TestUnknownCodec(t *testing.T) {
	tests := []struct {
		name string
		open func() error
	}{
		{"empty video", func() error { _, err := NewVideoDecoder("", VideoOptions{}); return err }},
		{"unknown video", func() error { _, err := NewVideoDecoder("nope", VideoOptions{}); return err }},
		{"audio as video", func() error { _, err := NewVideoDecoder(media.CodecAAC, VideoOptions{}); return err }},
		{"video as audio", func() error { _, err := NewAudioDecoder(media.CodecH264); return err }},
		{"unknown audio", func() error { _, err := NewAudioDecoder("nope"); return err }},
		{"unknown parser", func() error { _, err := NewParser("nope"); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.open(); !errors.Is(err, ErrUnknownCodec) {
				t.Errorf("error %v, want ErrUnknownCodec", err)
			}
		})
	}
}

func TestClosed(t *testing.T) {
	v, err := NewVideoDecoder(media.CodecH264, VideoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewAudioDecoder(media.CodecAAC)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewParser(media.CodecH264)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := errors.Join(v.Close(), a.Close(), p.Close()); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
	pkt := &media.Packet{Data: []byte{0, 0, 0, 1, 0x65}}
	calls := map[string]error{}
	_, calls["video Decode"] = v.Decode(pkt)
	_, calls["video Flush"] = v.Flush()
	_, calls["audio Decode"] = a.Decode(pkt)
	_, calls["audio Flush"] = a.Flush()
	_, calls["Parse"] = p.Parse(pkt.Data)
	_, calls["parser Flush"] = p.Flush()
	for name, err := range calls {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
}

func TestEmptyPacket(t *testing.T) {
	d, err := NewVideoDecoder(media.CodecH264, VideoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, p := range []*media.Packet{nil, {}, {Data: []byte{}}} {
		if frames, err := d.Decode(p); frames != nil || err != nil {
			t.Errorf("Decode(%v) = %v, %v; want nothing", p, frames, err)
		}
	}
}
