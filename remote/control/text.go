package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
	"unicode"
	"unicode/utf8"
)

// TextRequest is the body of POST /api/v1/text: text for the text field on
// screen (the search's, an address's), which it replaces, as if typed
// with the on-screen keyboard. Submit also presses the keyboard's Done.
type TextRequest struct {
	Text   string `json:"text"`
	Submit bool   `json:"submit,omitempty"`
}

// maxText bounds the runes of a TextRequest: the longest field on the box
// (an address) takes 200.
const maxText = 200

// parseTextRequest reads the body of POST /api/v1/text: one JSON object
// whose text is valid UTF-8 of at most maxText runes, without control
// characters.
func parseTextRequest(data []byte) (TextRequest, error) {
	var req TextRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return TextRequest{}, fmt.Errorf(`malformed JSON (want {"text":"..."}): %w`, err)
	}
	switch {
	case !utf8.ValidString(req.Text):
		return TextRequest{}, errors.New("text: not valid UTF-8")
	case utf8.RuneCountInString(req.Text) > maxText:
		return TextRequest{}, fmt.Errorf("text: longer than %d characters", maxText)
	}
	for _, r := range req.Text {
		if unicode.IsControl(r) {
			return TextRequest{}, fmt.Errorf("text: control character %U", r)
		}
	}
	return req, nil
}

func (s *Server) text(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Text == nil {
		writeError(w, http.StatusNotFound, errors.New("no text entry here"))
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<10))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Errorf("body: %w", err))
		return
	}
	req, err := parseTextRequest(data)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	typed, err := s.cfg.Text(ctx, req.Text, req.Submit)
	switch {
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, fmt.Errorf("the UI did not take the text: %w", err))
	case !typed:
		writeError(w, http.StatusConflict, errors.New("no text field on screen: open the search or an address entry first"))
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
