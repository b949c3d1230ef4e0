package lirc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
)

// Send sends one command to lircd at socket ("VERSION", "LIST", "SIMULATE
// 0000000000000001 00 KEY_OK myremote") and returns its reply. Button
// lines lircd broadcasts meanwhile are skipped.
func Send(ctx context.Context, socket, command string) (*Reply, error) {
	if strings.ContainsAny(command, "\r\n") {
		return nil, fmt.Errorf("lirc: command %q has a line break", command)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", socket)
	if err != nil {
		return nil, fmt.Errorf("lirc: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if _, err := conn.Write([]byte(command + "\n")); err != nil {
		return nil, fmt.Errorf("lirc: send %q: %w", command, err)
	}
	dec := NewDecoder(conn)
	for {
		m, err := dec.Next()
		if errors.Is(err, ErrBadLine) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("lirc: reply to %q: %w", command, err)
		}
		if m.Reply != nil && m.Reply.Command == command {
			if !m.Reply.Success {
				return m.Reply, fmt.Errorf("lirc: %q failed: %s", command, strings.Join(m.Reply.Data, "; "))
			}
			return m.Reply, nil
		}
	}
}
