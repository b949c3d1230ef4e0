package headend

import (
	"crypto/rand"
	"sync"
	"time"
)

// Lifetimes of sessions.
const (
	// vodSessionTTL is how long a VOD session is remembered after its
	// last keep-alive when the box never ends it.
	vodSessionTTL = 12 * time.Hour
	// KeepaliveEvery is how often a box keeps a live unicast session
	// alive; the head-end ends it after three periods without.
	KeepaliveEvery = 30 * time.Second
	liveSessionTTL = 3 * KeepaliveEvery
	// reapEvery is how often expired sessions are ended.
	reapEvery = 5 * time.Second
	// maxLivePerDevice bounds the unicast streams one box may hold.
	maxLivePerDevice = 4
)

// sessions are the play sessions the server has handed out.
type sessions struct {
	now func() time.Time

	mu   sync.Mutex
	byID map[string]*session
}

// session is one play session.
type session struct {
	id        string
	device    string
	kind      string // operator.Stream*
	titleID   string // of a VOD session
	channelID string // of a live session
	seen      time.Time
	ttl       time.Duration
	sub       LiveSubscription // of a unicast live session
}

func newSessions() *sessions {
	return &sessions{now: time.Now, byID: map[string]*session{}}
}

// add records a session, giving it an ID, and returns the ID.
func (s *sessions) add(ss *session) string {
	ss.id = rand.Text()
	s.mu.Lock()
	defer s.mu.Unlock()
	ss.seen = s.now()
	s.byID[ss.id] = ss
	return ss.id
}

// unicastOf counts the unicast sessions of a device.
func (s *sessions) unicastOf(device string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ss := range s.byID {
		if ss.device == device && ss.sub != nil {
			n++
		}
	}
	return n
}

// keepalive renews a session of a device and reports whether it exists.
func (s *sessions) keepalive(id, device string) bool {
	s.mu.Lock()
	ss, ok := s.byID[id]
	if ok && ss.device == device {
		ss.seen = s.now()
	}
	s.mu.Unlock()
	if !ok || ss.device != device {
		return false
	}
	if ss.sub != nil {
		ss.sub.Refresh()
	}
	return true
}

// remove forgets a session of a device and returns it, or nil if the
// device has no such session.
func (s *sessions) remove(id, device string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.byID[id]
	if !ok || ss.device != device {
		return nil
	}
	delete(s.byID, id)
	return ss
}

// expire forgets the sessions not kept alive within their TTL of now, and
// returns them.
func (s *sessions) expire(now time.Time) []*session {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*session
	for id, ss := range s.byID {
		if now.Sub(ss.seen) > ss.ttl {
			delete(s.byID, id)
			out = append(out, ss)
		}
	}
	return out
}

// removeAll forgets every session and returns their live subscriptions.
func (s *sessions) removeAll() []LiveSubscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	var subs []LiveSubscription
	for _, ss := range s.byID {
		if ss.sub != nil {
			subs = append(subs, ss.sub)
		}
	}
	clear(s.byID)
	return subs
}

// count returns the number of sessions of each kind.
func (s *sessions) count() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := map[string]int{}
	for _, ss := range s.byID {
		kind := ss.kind
		if ss.sub != nil {
			kind += "-unicast"
		}
		n[kind]++
	}
	return n
}

// len returns the number of sessions.
func (s *sessions) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}
