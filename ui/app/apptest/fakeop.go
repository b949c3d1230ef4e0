// Package apptest serves the app's tests and the shell's golden tests a
// small operator's API on 127.0.0.1: a fixed catalogue, channels and
// guide, generated posters, and a record of what boxes tell it.
package apptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/manbang/manbang/operator"
)

// T0 is the fixed clock of the UI tests: a Monday evening in UTC.
var T0 = time.Date(2026, 11, 23, 20, 15, 0, 0, time.UTC)

// FakeOperator is an operator's API server on 127.0.0.1 with a small fixed
// catalogue, channels and guide, and generated posters. It records what
// boxes tell it.
type FakeOperator struct {
	*httptest.Server
	Mu        sync.Mutex
	Cats      []operator.Category
	Titles    []operator.Title
	Channels  []operator.Channel
	Progs     []operator.Programme
	Stream    string // what sessions for titles point at
	Media     []byte // served at /media/clip.ts
	Favs      []string
	Resume    map[string]float64
	Positions []operator.Resume // GET /api/v1/resume; nil: 404, as an older head-end
	// ResumeReads counts GET /api/v1/resume, Forgets DELETE /api/v1/resume
	// (which empties Resume and Positions).
	ResumeReads, Forgets int
	Searches             []string
	Sessions             int
	Ended                int
	NoLive               bool // answer 404 for channels, as an older head-end
	FailUntil            int  // fail the first n catalogue requests with 503
	Requests             int
}

func (f *FakeOperator) text(ko, en, ru string) operator.Text {
	return operator.Text{"ko": ko, "en": en, "ru": ru}
}

func NewFakeOperator(t testing.TB) *FakeOperator {
	f := &FakeOperator{Resume: map[string]float64{}}
	f.Cats = []operator.Category{
		{ID: "docs", Name: f.text("다큐멘터리", "Documentaries", "Документальные")},
		{ID: "news", Name: f.text("뉴스", "News", "Новости")},
		{ID: "films", Name: f.text("영화", "Films", "Фильмы")},
	}
	names := [][3]string{
		{"다큐 바다", "The Sea", "Море"}, {"다큐 산맥", "Mountains", "Горы"}, {"숲의 사계절", "Four Seasons of a Forest", "Четыре времени года в лесу"},
		{"할머니의 김치", "Grandma's Kimchi", "Бабушкино кимчи"}, {"다큐 강", "Rivers", "Реки"}, {"사막", "Deserts", "Пустыни"},
		{"저녁 뉴스", "Evening News", "Вечерние новости"}, {"아침 뉴스", "Morning News", "Утренние новости"},
		{"마지막 기차", "The Last Train", "Последний поезд"}, {"한밤의 추적", "Midnight Chase", "Полночная погоня"},
	}
	cats := []string{"docs", "docs", "docs", "docs", "docs", "docs", "news", "news", "films", "films"}
	exts := []string{"png", "jpg", "webp"}
	ratings := []string{"ALL", "12", "ALL", "ALL", "15", "ALL", "ALL", "ALL", "15", "19"}
	for i, n := range names {
		f.Titles = append(f.Titles, operator.Title{
			ID: fmt.Sprintf("t%d", i), CategoryID: cats[i], Name: f.text(n[0], n[1], n[2]),
			Description: f.text(n[0]+"에 관한 이야기. 세 세대가 함께 만든 이야기입니다.", "A story about "+n[1]+", told by three generations who lived it.", "История о том, что "+n[2]+", рассказанная тремя поколениями."),
			Year:        2018 + i, DurationSec: 600 + 300*i, Language: []string{"ko", "en", "ru"}[i%3], Rating: ratings[i],
			PosterURL: fmt.Sprintf("/posters/%d.%s", i, exts[i%3]),
		})
	}
	f.Channels = []operator.Channel{
		{ID: "news24", Number: 1, Name: f.text("만방 뉴스 24", "Manbang News 24", "Манбан Новости 24"), LogoURL: "/posters/logo1.png"},
		{ID: "drama", Number: 2, Name: f.text("만방 드라마", "Manbang Drama", "Манбан Драма"), LogoURL: "/posters/logo2.png"},
		{ID: "kids", Number: 3, Name: f.text("만방 키즈", "Manbang Kids", "Манбан Дети"), LogoURL: "/posters/logo3.png"},
		{ID: "docu", Number: 4, Name: f.text("만방 다큐", "Manbang Docs", "Манбан Док"), Catchup: &operator.Catchup{Mode: operator.CatchupShift, Days: 3}},
	}
	shows := [][3]string{{"세계는 지금", "The World Now", "Мир сейчас"}, {"바다 마을 이야기", "Seaside Stories", "Истории у моря"}, {"펭귄 탐험대", "Penguin Explorers", "Пингвины"}, {"깊은 바다", "The Deep Sea", "Глубокое море"}, {"뉴스 9", "News at Nine", "Новости в девять"}, {"경제 브리핑", "Business Briefing", "Экономика"}}
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for ci, ch := range f.Channels {
		start := day.Add(-24 * time.Hour)
		for i := 0; start.Before(day.Add(48 * time.Hour)); i++ {
			d := time.Duration(30+30*((i+ci)%3)) * time.Minute
			s := shows[(i+ci)%len(shows)]
			f.Progs = append(f.Progs, operator.Programme{ChannelID: ch.ID, Start: start, Stop: start.Add(d), Title: f.text(s[0], s[1], s[2]),
				Description: f.text(s[0]+" 방송", s[1]+" on "+ch.Name["en"], s[2])})
			start = start.Add(d)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/categories", func(w http.ResponseWriter, r *http.Request) {
		if f.failing(w) {
			return
		}
		writeJSON(w, operator.CategoryList{Categories: f.Cats})
	})
	mux.HandleFunc("GET /api/v1/titles", func(w http.ResponseWriter, r *http.Request) {
		if f.failing(w) {
			return
		}
		var ts []operator.Title
		for _, t := range f.Titles {
			if c := r.URL.Query().Get("category"); c == "" || t.CategoryID == c {
				ts = append(ts, f.public(r, t))
			}
		}
		writeJSON(w, page(ts, r))
	})
	mux.HandleFunc("GET /api/v1/search", func(w http.ResponseWriter, r *http.Request) {
		q := strings.ToLower(r.URL.Query().Get("q"))
		f.Mu.Lock()
		f.Searches = append(f.Searches, q)
		f.Mu.Unlock()
		var ts []operator.Title
		for _, t := range f.Titles {
			for _, n := range t.Name {
				if strings.Contains(strings.ToLower(n), q) {
					ts = append(ts, f.public(r, t))
					break
				}
			}
		}
		writeJSON(w, page(ts, r))
	})
	mux.HandleFunc("GET /api/v1/channels", func(w http.ResponseWriter, r *http.Request) {
		if f.NoLive {
			http.Error(w, `{"error":"not found: GET /api/v1/channels"}`, http.StatusNotFound)
			return
		}
		chs := slices.Clone(f.Channels)
		for i := range chs {
			if chs[i].LogoURL != "" {
				chs[i].LogoURL = base(r) + chs[i].LogoURL
			}
		}
		writeJSON(w, operator.ChannelList{Channels: chs})
	})
	mux.HandleFunc("GET /api/v1/epg", func(w http.ResponseWriter, r *http.Request) {
		if f.NoLive {
			http.Error(w, `{"error":"not found: GET /api/v1/epg"}`, http.StatusNotFound)
			return
		}
		from, _ := time.Parse(time.RFC3339, r.URL.Query().Get("from"))
		to, _ := time.Parse(time.RFC3339, r.URL.Query().Get("to"))
		g := operator.Guide{From: from, To: to, Programmes: []operator.Programme{}}
		for _, p := range f.Progs {
			if p.Stop.After(from) && p.Start.Before(to) {
				g.Programmes = append(g.Programmes, p)
			}
		}
		writeJSON(w, g)
	})
	mux.HandleFunc("POST /api/v1/sessions", func(w http.ResponseWriter, r *http.Request) {
		var req operator.PlayRequest
		json.NewDecoder(r.Body).Decode(&req)
		f.Mu.Lock()
		f.Sessions++
		n, stream := f.Sessions, f.Stream
		f.Mu.Unlock()
		if req.ChannelID != "" {
			http.Error(w, `{"error":"unicast live streaming is not available on this head-end"}`, http.StatusServiceUnavailable)
			return
		}
		if stream == "" {
			stream = base(r) + "/media/missing.ts"
		}
		w.WriteHeader(http.StatusCreated)
		writeJSON(w, operator.Session{ID: "s" + strconv.Itoa(n), URL: stream, Kind: operator.StreamHLS})
	})
	mux.HandleFunc("DELETE /api/v1/sessions/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.Mu.Lock()
		f.Ended++
		f.Mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /api/v1/favourites", func(w http.ResponseWriter, r *http.Request) {
		f.Mu.Lock()
		defer f.Mu.Unlock()
		var ts []operator.Title
		for _, id := range f.Favs {
			for _, t := range f.Titles {
				if t.ID == id {
					ts = append(ts, f.public(r, t))
				}
			}
		}
		writeJSON(w, page(ts, r))
	})
	mux.HandleFunc("PUT /api/v1/favourites/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.Mu.Lock()
		f.Favs = append([]string{r.PathValue("id")}, slices.DeleteFunc(f.Favs, func(s string) bool { return s == r.PathValue("id") })...)
		f.Mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /api/v1/favourites/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.Mu.Lock()
		f.Favs = slices.DeleteFunc(f.Favs, func(s string) bool { return s == r.PathValue("id") })
		f.Mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /api/v1/resume", func(w http.ResponseWriter, r *http.Request) {
		f.Mu.Lock()
		defer f.Mu.Unlock()
		f.Forgets++
		f.Resume, f.Positions = map[string]float64{}, []operator.Resume{}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /api/v1/resume", func(w http.ResponseWriter, r *http.Request) {
		f.Mu.Lock()
		defer f.Mu.Unlock()
		f.ResumeReads++
		if f.Positions == nil {
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
			return
		}
		writeJSON(w, operator.ResumeList{Positions: f.Positions})
	})
	mux.HandleFunc("GET /api/v1/titles/{id}", func(w http.ResponseWriter, r *http.Request) {
		for _, t := range f.Titles {
			if t.ID == r.PathValue("id") {
				writeJSON(w, f.public(r, t))
				return
			}
		}
		http.Error(w, `{"error":"unknown title"}`, http.StatusNotFound)
	})
	mux.HandleFunc("PUT /api/v1/resume/{id}", func(w http.ResponseWriter, r *http.Request) {
		var res operator.Resume
		json.NewDecoder(r.Body).Decode(&res)
		f.Mu.Lock()
		f.Resume[r.PathValue("id")] = res.PositionSec
		f.Mu.Unlock()
		writeJSON(w, res)
	})
	mux.HandleFunc("GET /media/clip.ts", func(w http.ResponseWriter, r *http.Request) {
		if f.Media == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "video/mp2t")
		w.Write(f.Media)
	})
	mux.HandleFunc("GET /posters/{name}", func(w http.ResponseWriter, r *http.Request) {
		b, ct := posterFile(r.PathValue("name"))
		if b == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", ct)
		w.Write(b)
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// failing answers 503 while failUntil requests have not been made.
func (f *FakeOperator) failing(w http.ResponseWriter) bool {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Requests++
	if f.Requests <= f.FailUntil {
		http.Error(w, `{"error":"the catalogue is being rebuilt"}`, http.StatusServiceUnavailable)
		return true
	}
	return false
}

func (f *FakeOperator) public(r *http.Request, t operator.Title) operator.Title {
	t.PosterURL = base(r) + t.PosterURL
	return t
}

func base(r *http.Request) string { return "http://" + r.Host }

func page(ts []operator.Title, r *http.Request) operator.TitlePage {
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 {
		limit = 50
	}
	total := len(ts)
	start := min(offset, total)
	return operator.TitlePage{Titles: append([]operator.Title{}, ts[start:min(start+limit, total)]...), Total: total, Offset: offset}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// posterFile makes the picture behind a poster URL: a gradient with a
// frame and stripes, different for each name, as JPEG for .jpg names and
// PNG for others (WebP decoding is tested on files ffmpeg makes).
func posterFile(name string) ([]byte, string) {
	id, ext, _ := strings.Cut(name, ".")
	n := 0
	for _, c := range id {
		n = n*31 + int(c)
	}
	w, h := 320, 180
	if strings.HasPrefix(id, "logo") {
		w, h = 160, 90
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	base := color.NRGBA{uint8(60 + n*37%140), uint8(60 + n*53%140), uint8(90 + n*71%140), 255}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := base
			c.R = uint8(int(c.R) * (w + x) / (2 * w))
			c.G = uint8(int(c.G) * (h + y) / (2 * h))
			if x < 4 || y < 4 || x >= w-4 || y >= h-4 || (x-y+1000)%64 < 6 {
				c = color.NRGBA{240, 240, 240, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if ext == "jpg" {
		jpeg.Encode(&b, img, &jpeg.Options{Quality: 90})
		return b.Bytes(), "image/jpeg"
	}
	png.Encode(&b, img)
	return b.Bytes(), "image/png"
}
