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

// AuthMessage is the first message of a WebSocket session on the network
// remote that did not send its token in the Authorization header (a
// browser's WebSocket cannot): {"token": "..."}. It is answered with
// {"paired": true}, or the session is closed with status 1008.
type AuthMessage struct {
	Token string `json:"token"`
}

// authWait bounds how long a WebSocket session may stay open before it
// shows its token.
const authWait = 10 * time.Second

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
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	ip := clientIP(r)
	var tok string
	if s.auth == AuthPairing {
		if tok, err = s.wsAuth(ctx, c, r); err != nil {
			c.Close(websocket.StatusPolicyViolation, err.Error())
			return
		}
	}

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
			if _, ok := s.cfg.Pairer.Check(tok); !ok {
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

// wsAuth returns the token of a session on the network remote: the one in
// the Authorization header, or else the one of its first message, which
// must come within authWait.
func (s *Server) wsAuth(ctx context.Context, c *websocket.Conn, r *http.Request) (string, error) {
	if tok := token(r); tok != "" {
		if _, ok := s.cfg.Pairer.Check(tok); !ok {
			return "", errors.New("unknown token: pair again")
		}
		return tok, nil
	}
	actx, cancel := context.WithTimeout(ctx, authWait)
	defer cancel()
	_, data, err := c.Read(actx)
	if err != nil {
		return "", errors.New("no token in time: pair first")
	}
	tok, err := parseAuthMessage(data)
	if err != nil {
		return "", err
	}
	if _, ok := s.cfg.Pairer.Check(tok); !ok {
		return "", errors.New("unknown token: pair again")
	}
	b, _ := json.Marshal(map[string]bool{"paired": true})
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	if err := c.Write(wctx, websocket.MessageText, b); err != nil {
		return "", err
	}
	return tok, nil
}

// parseAuthMessage reads a session's first message: its token.
func parseAuthMessage(data []byte) (string, error) {
	var m AuthMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return "", fmt.Errorf(`first message: malformed JSON (want {"token":"..."}): %w`, err)
	}
	if m.Token == "" {
		return "", errors.New(`first message: no token (want {"token":"..."}): pair first`)
	}
	return m.Token, nil
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
