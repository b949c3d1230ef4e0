package library

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/korean"
)

func encode(t testing.TB, enc encoding.Encoding, s string) string {
	t.Helper()
	b, err := enc.NewEncoder().String(s)
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return b
}

func TestDecodeName(t *testing.T) {
	cases := []struct {
		name, raw, want string
	}{
		{"utf-8 as it is", "가족 여행 2019.mp4", "가족 여행 2019.mp4"},
		{"utf-8 russian", "Свадьба.avi", "Свадьба.avi"},
		{"cp949 hangul", encode(t, korean.EUCKR, "가족 여행 2019.mp4"), "가족 여행 2019.mp4"},
		{"cp949 extended syllable", encode(t, korean.EUCKR, "똠양꿍 (1).jpg"), "똠양꿍 (1).jpg"},
		{"cp1251 cyrillic", encode(t, charmap.Windows1251, "Свадьба Ани и Пети.avi"), "Свадьба Ани и Пети.avi"},
		{"cp1251 with yo and number sign", encode(t, charmap.Windows1251, "Ёлка №3 — «дома».jpg"), "Ёлка №3 — «дома».jpg"},
		{"cp1251 lower case only", encode(t, charmap.Windows1251, "песня.mp3"), "песня.mp3"},
		{"neither: replacement", "film\xff\xfe\x01.mp4", "film\uFFFD\x01.mp4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := DecodeName(c.raw); got != c.want {
				t.Errorf("DecodeName(%q) = %q, want %q", c.raw, got, c.want)
			}
		})
	}
}

func FuzzDecodeName(f *testing.F) {
	f.Add("가족.mp4")
	f.Add(encode(f, korean.EUCKR, "영화 모음"))
	f.Add(encode(f, charmap.Windows1251, "Фильмы"))
	f.Add("\xff\xfe\xfd")
	f.Add("")
	f.Fuzz(func(t *testing.T, raw string) {
		got := DecodeName(raw)
		if !utf8Valid(got) {
			t.Fatalf("DecodeName(%q) = %q: not UTF-8", raw, got)
		}
		if utf8Valid(raw) && got != raw {
			t.Fatalf("DecodeName changed the UTF-8 name %q to %q", raw, got)
		}
		if raw != "" && got == "" {
			t.Fatalf("DecodeName(%q) is empty", raw)
		}
	})
}

func utf8Valid(s string) bool { return utf8.ValidString(s) }

// tree makes files (with their sizes) and folders under a temporary
// directory, the files' times an hour apart in the order given.
func tree(t testing.TB, files map[string]int, order []string) string {
	t.Helper()
	dir := t.TempDir()
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for i, name := range order {
		p := filepath.Join(dir, name)
		size, isFile := files[name]
		if !isFile {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		} else if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		mt := base.Add(time.Duration(i) * time.Hour)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func names(es []Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

func TestList(t *testing.T) {
	files := map[string]int{
		"Ep 10.mkv": 300, "Ep 2.mkv": 100, "ep 1.MP4": 200, "song.flac": 50, "Photo.JPG": 10,
		"notes.txt": 5, "movie.srt": 5, ".hidden.mp4": 5, "._Ep 2.mkv": 5, "clip.vob": 70,
	}
	order := []string{"Ep 2.mkv", "Ep 10.mkv", "ep 1.MP4", "song.flac", "Photo.JPG", "notes.txt", "movie.srt",
		".hidden.mp4", "._Ep 2.mkv", "clip.vob", "Folder 9", "folder 10", "System Volume Information", "$RECYCLE.BIN", ".Trashes"}
	dir := tree(t, files, order)
	es, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Folder 9", "folder 10", "clip.vob", "ep 1.MP4", "Ep 2.mkv", "Ep 10.mkv", "Photo.JPG", "song.flac"}
	if got := names(es); !slices.Equal(got, want) {
		t.Fatalf("List = %q, want %q", got, want)
	}
	kinds := map[string]Kind{"Folder 9": Folder, "clip.vob": Video, "Photo.JPG": Photo, "song.flac": Music}
	for _, e := range es {
		if k, ok := kinds[e.Name]; ok && e.Kind != k {
			t.Errorf("%s: kind %v, want %v", e.Name, e.Kind, k)
		}
		if e.Path != filepath.Join(dir, e.Name) {
			t.Errorf("%s: path %s", e.Name, e.Path)
		}
		if e.Kind != Folder && e.Size != int64(files[e.Name]) {
			t.Errorf("%s: size %d, want %d", e.Name, e.Size, files[e.Name])
		}
	}

	sorted := slices.Clone(es)
	Sort(sorted, BySize)
	if got, want := names(sorted), []string{"Folder 9", "folder 10", "Ep 10.mkv", "ep 1.MP4", "Ep 2.mkv", "clip.vob", "song.flac", "Photo.JPG"}; !slices.Equal(got, want) {
		t.Errorf("by size = %q, want %q", got, want)
	}
	Sort(sorted, ByDate)
	if got, want := names(sorted), []string{"folder 10", "Folder 9", "clip.vob", "Photo.JPG", "song.flac", "ep 1.MP4", "Ep 10.mkv", "Ep 2.mkv"}; !slices.Equal(got, want) {
		t.Errorf("by date = %q, want %q", got, want)
	}
	if got, want := names(Filter(es, Music)), []string{"Folder 9", "folder 10", "song.flac"}; !slices.Equal(got, want) {
		t.Errorf("music = %q, want %q", got, want)
	}
	if got := Filter(es, All); len(got) != len(es) {
		t.Errorf("all = %d entries, want %d", len(got), len(es))
	}
}

// A name in CP949 bytes lists decoded, and its path keeps the bytes.
func TestListLegacyName(t *testing.T) {
	raw := encode(t, korean.EUCKR, "우리 가족.mp4")
	dir := tree(t, map[string]int{raw: 1}, []string{raw})
	es, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Name != "우리 가족.mp4" || es[0].Path != filepath.Join(dir, raw) {
		t.Fatalf("List = %+v", es)
	}
	if _, err := os.Stat(es[0].Path); err != nil {
		t.Fatalf("the raw path does not open: %v", err)
	}
}

func TestListUnreadable(t *testing.T) {
	_, err := List(filepath.Join(t.TempDir(), "gone"))
	if err == nil {
		t.Fatal("List of a missing folder: no error")
	}
}

func TestNatural(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"Ep 2", "Ep 10", -1},
		{"ep 2", "Ep 2", 1}, // equal folded: byte order decides, so the order is total
		{"a", "B", -1},
		{"x007", "x7", -1},
		{"x7", "x007", 1},
		{"2", "10", -1},
		{"가 2", "가 10", -1},
		{"Серия 9", "Серия 11", -1},
		{"Ёлка", "Дача", 1},
		{"Ёлка", "Жара", -1},
		{"abc", "abcd", -1},
		{"", "a", -1},
		{"same", "same", 0},
	}
	for _, c := range cases {
		if got := Natural(c.a, c.b); got != c.want {
			t.Errorf("Natural(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// A folder of 10,000 files lists well within the time the browser has
// for its first screen (300 ms on this machine for listing and drawing).
func TestListTenThousand(t *testing.T) {
	dir := t.TempDir()
	for i := range 10000 {
		if err := os.WriteFile(filepath.Join(dir, "clip "+strconv.Itoa(i)+".mp4"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	es, err := List(dir)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 10000 || es[2].Name != "clip 2.mp4" || es[10].Name != "clip 10.mp4" {
		t.Fatalf("listed %d, first %q", len(es), names(es[:3]))
	}
	if took > 300*time.Millisecond {
		t.Errorf("10,000 files listed in %v, want under 300 ms", took)
	}
	t.Logf("10,000 files listed in %v", took)
}

func BenchmarkList10000(b *testing.B) {
	dir := b.TempDir()
	for i := range 10000 {
		os.WriteFile(filepath.Join(dir, "clip "+strconv.Itoa(i)+".mp4"), nil, 0o644)
	}
	for b.Loop() {
		if _, err := List(dir); err != nil {
			b.Fatal(err)
		}
	}
}
