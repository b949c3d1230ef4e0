package rtp

import (
	"fmt"

	"github.com/pion/rtcp"
)

// senderInfo is what the box learns from the RTCP its sender sends.
type senderInfo struct {
	hasSR bool
	ntp   uint64 // NTP time of the sender report about the source
	bye   bool   // the source said goodbye
}

// parseRTCP reads a compound (or reduced-size) RTCP packet from the sender
// and returns what it says about source ssrc. It never panics.
func parseRTCP(b []byte, ssrc uint32) (senderInfo, error) {
	var info senderInfo
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		return info, fmt.Errorf("rtcp: %w", err)
	}
	for _, p := range pkts {
		switch p := p.(type) {
		case *rtcp.SenderReport:
			if p.SSRC == ssrc {
				info.hasSR, info.ntp = true, p.NTPTime
			}
		case *rtcp.Goodbye:
			for _, s := range p.Sources {
				if s == ssrc {
					info.bye = true
				}
			}
		}
	}
	return info, nil
}

// receiverReport builds the compound RTCP packet the box sends each
// reporting interval: a receiver report about the source and its own
// CNAME (RFC 3550 6.1).
func receiverReport(local uint32, cname string, block *rtcp.ReceptionReport) ([]byte, error) {
	rr := &rtcp.ReceiverReport{SSRC: local}
	if block != nil {
		rr.Reports = []rtcp.ReceptionReport{*block}
	}
	return rtcp.Marshal([]rtcp.Packet{rr, rtcp.NewCNAMESourceDescription(local, cname)})
}

// nack builds a reduced-size RTCP packet (RFC 5506) with a generic NACK
// (RFC 4585 6.2.1) asking source media for the packets seqs.
func nack(local, media uint32, seqs []uint16) ([]byte, error) {
	return (&rtcp.TransportLayerNack{
		SenderSSRC: local,
		MediaSSRC:  media,
		Nacks:      rtcp.NackPairsFromSequenceNumbers(seqs),
	}).Marshal()
}

// bye builds the compound RTCP packet the box sends when it leaves: a
// receiver report and a BYE (RFC 3550 6.6).
func bye(local uint32, block *rtcp.ReceptionReport) ([]byte, error) {
	rr := &rtcp.ReceiverReport{SSRC: local}
	if block != nil {
		rr.Reports = []rtcp.ReceptionReport{*block}
	}
	return rtcp.Marshal([]rtcp.Packet{rr, &rtcp.Goodbye{Sources: []uint32{local}}})
}
