package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/manbang/manbang/remote"
	"github.com/manbang/manbang/remote/pairing"
)

// KeyMessage is what a client sends on the WebSocket (GET /api/v1/ws), one
// JSON text message per key event: Action "press" and then "release" for a
// key held as long as the finger is on it, or "tap" (the default) for a
// press and release at once. The server answers each with the same
// message, or with {"error": "..."}.
type KeyMessage struct {
	Key    string `json:"key"`
	Action string `json:"action,omitempty"`
	Error  string `json:"error,omitempty"`
}

func (s *Server) ws(w http.ResponseWriter, r *http.Request) {
	if !s.session() {
		writeError(w, http.StatusServiceUnavailable, errors.New("closing"))
		return
	}
	defer s.wg.Done()
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered
	}
	defer c.CloseNow()
	c.SetReadLimit(4 << 10)
	_, paired := r.Context().Value(clientKey{}).(pairing.Client)
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	ip := clientIP(r)

	held := map[remote.Key]bool{}
	defer func() { // a client that goes away lets go of its keys
		for k := range held {
			s.send(context.Background(), k, remote.Release)
		}
	}()
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return
		}
		if s.auth == AuthPairing {
			if !s.enabled.Load() {
				c.Close(websocket.StatusPolicyViolation, "the network remote is off")
				return
			}
			if _, ok := s.cfg.Pairer.Check(token(r)); !paired || !ok {
				c.Close(websocket.StatusPolicyViolation, "pairing revoked")
				return
			}
			if wait := s.limit.take(ip, time.Now()); wait > 0 {
				s.reply(ctx, c, KeyMessage{Error: fmt.Sprintf("too many key events; wait %v", wait.Round(time.Millisecond))})
				continue
			}
		}
		k, actions, ack, err := parseKeyMessage(data)
		if err != nil {
			s.reply(ctx, c, KeyMessage{Error: err.Error()})
			continue
		}
		for _, a := range actions {
			if a == remote.Release && !held[k] {
				continue // nothing to let go of
			}
			if err := s.send(ctx, k, a); err != nil {
				ack = KeyMessage{Error: err.Error()}
				break
			}
			if a == remote.Press {
				held[k] = true
			} else {
				delete(held, k)
			}
		}
		s.reply(ctx, c, ack)
	}
}

// parseKeyMessage reads a client's message: the key, the actions it makes,
// and the answer.
func parseKeyMessage(data []byte) (remote.Key, []remote.Action, KeyMessage, error) {
	var m KeyMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return remote.KeyNone, nil, m, fmt.Errorf("malformed JSON: %w", err)
	}
	k, err := remote.ParseKey(m.Key)
	if err != nil {
		return remote.KeyNone, nil, m, err
	}
	ack := KeyMessage{Key: k.String(), Action: strings.ToLower(m.Action)}
	switch ack.Action {
	case "", "tap":
		ack.Action = "tap"
		return k, []remote.Action{remote.Press, remote.Release}, ack, nil
	case "press":
		return k, []remote.Action{remote.Press}, ack, nil
	case "release":
		return k, []remote.Action{remote.Release}, ack, nil
	}
	return remote.KeyNone, nil, m, fmt.Errorf(`unknown action %q: want "press", "release" or "tap"`, m.Action)
}

func (s *Server) reply(ctx context.Context, c *websocket.Conn, m KeyMessage) {
	b, _ := json.Marshal(m)
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c.Write(wctx, websocket.MessageText, b)
}
