package headend

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/manbang/manbang/headend/devices"
	"github.com/manbang/manbang/operator"
)

// requestInfo is what the handlers of a request learn for the request log.
type requestInfo struct {
	device string // the authenticated device
}

type infoKey struct{}

// withInfo returns r with an empty requestInfo.
func withInfo(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), infoKey{}, &requestInfo{}))
}

// infoOf returns the requestInfo of r, or an empty one.
func infoOf(r *http.Request) *requestInfo {
	if ri, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{}
}

// deviceOf returns the device ID of an authenticated request.
func deviceOf(r *http.Request) string { return infoOf(r).device }

// authenticate answers 401 to requests without a valid device token, and
// passes the others to next with their device known.
func (s *Server) authenticate(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ok, token := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="manbang"`)
			writeError(w, http.StatusUnauthorized, "missing device token: register with POST /api/v1/devices and send Authorization: Bearer TOKEN")
			return
		}
		id, err := s.devices.Authenticate(r.Context(), token)
		switch {
		case errors.Is(err, devices.ErrUnauthorized):
			w.Header().Set("WWW-Authenticate", `Bearer realm="manbang", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "unknown device token: register again")
			return
		case err != nil:
			writeError(w, http.StatusInternalServerError, "%v", err)
			return
		}
		infoOf(r).device = id
		next(w, r)
	}
}

// bearer returns the token of r's "Authorization: Bearer TOKEN" header,
// and whether it has one.
func bearer(r *http.Request) (bool, string) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return false, ""
	}
	return true, token
}

// maxRequestBody bounds the JSON body of a request.
const maxRequestBody = 64 << 10

// readBody decodes the JSON body of r into v, or answers 400 and returns
// false.
func readBody(w http.ResponseWriter, r *http.Request, what string, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "bad %s: %v", what, err)
		return false
	}
	return true
}

func (s *Server) postDevice(w http.ResponseWriter, r *http.Request) {
	var reg operator.DeviceRegistration
	if !readBody(w, r, "device registration", &reg) {
		return
	}
	if s.secret != "" && subtle.ConstantTimeCompare([]byte(reg.EnrolmentSecret), []byte(s.secret)) != 1 {
		writeError(w, http.StatusForbidden, "wrong enrolment secret")
		return
	}
	// A token sent along proves the box is the device it was; an unknown
	// one proves nothing and is no error.
	_, token := bearer(r)
	d, err := s.devices.Register(r.Context(), reg, token)
	switch {
	case errors.Is(err, devices.ErrInvalid):
		writeError(w, http.StatusBadRequest, "bad device registration: %v", strings.TrimPrefix(err.Error(), "devices: "))
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	infoOf(r).device = d.ID
	// Neither the serial nor the token is logged: the device ID names the
	// box in the logs.
	s.log.Info("device registered", "device", d.ID, "model", reg.Model, "firmware", reg.Firmware)
	writeJSON(w, http.StatusCreated, d)
}
