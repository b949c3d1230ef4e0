package headend

import (
	"crypto/rand"
	"sync"
	"time"
)

// sessionTTL is how long a session is remembered when the box never ends
// it.
const sessionTTL = 12 * time.Hour

// sessions are the play sessions the server has handed out. A session
// only records which title it plays: VOD media is served to anyone.
type sessions struct {
	ttl time.Duration
	now func() time.Time

	mu   sync.Mutex
	byID map[string]session
}

type session struct {
	titleID string
	started time.Time
}

func newSessions(ttl time.Duration) *sessions {
	return &sessions{ttl: ttl, now: time.Now, byID: map[string]session{}}
}

// add starts a session of a title and returns its ID. It forgets sessions
// older than the TTL.
func (s *sessions) add(titleID string) string {
	id := rand.Text()
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.byID {
		if now.Sub(v.started) > s.ttl {
			delete(s.byID, k)
		}
	}
	s.byID[id] = session{titleID: titleID, started: now}
	return id
}

// remove ends a session and reports whether it existed.
func (s *sessions) remove(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.byID[id]
	delete(s.byID, id)
	return ok
}

// len returns the number of sessions.
func (s *sessions) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}
