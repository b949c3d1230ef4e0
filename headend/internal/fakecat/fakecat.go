// Package fakecat fills a catalog with generated titles for benchmarks:
// names made of words in Korean, English and Russian, drawn from a fixed
// vocabulary so that queries have realistic numbers of matches.
package fakecat

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/manbang/manbang/headend/catalog"
	"github.com/manbang/manbang/operator"
)

// Categories is how many categories Fill makes.
const Categories = 20

// word is one word of the vocabulary in three languages.
type word struct{ ko, en, ru string }

// stems are combined with suffixes into the vocabulary.
var stems = []word{
	{"바다", "sea", "море"}, {"산", "mountain", "гора"}, {"강", "river", "река"}, {"하늘", "sky", "небо"},
	{"기차", "train", "поезд"}, {"도시", "city", "город"}, {"밤", "night", "ночь"}, {"겨울", "winter", "зима"},
	{"여름", "summer", "лето"}, {"사랑", "love", "любовь"}, {"전쟁", "war", "война"}, {"노래", "song", "песня"},
	{"바람", "wind", "ветер"}, {"불", "fire", "огонь"}, {"길", "road", "дорога"}, {"집", "house", "дом"},
	{"꿈", "dream", "мечта"}, {"별", "star", "звезда"}, {"숲", "forest", "лес"}, {"섬", "island", "остров"},
	{"왕", "king", "король"}, {"비밀", "secret", "тайна"}, {"친구", "friend", "друг"}, {"시간", "time", "время"},
	{"달", "moon", "луна"}, {"눈", "snow", "снег"}, {"빛", "light", "свет"}, {"그림자", "shadow", "тень"},
	{"학교", "school", "школа"}, {"병원", "hospital", "больница"}, {"시장", "market", "рынок"}, {"항구", "harbour", "порт"},
}

var suffixes = []word{
	{"", "", ""}, {"의 노래", " song", "вая"}, {"이야기", "s", "ский"}, {"들", "land", "ное"}, {"길", "way", "ник"},
	{"빛", "light", "ица"}, {"나라", "dom", "ия"}, {"사람", "man", "ец"}, {"마을", "ville", "ово"}, {"섬", "holm", "ск"},
	{"왕국", "ward", "ин"}, {"전설", "fall", "ов"}, {"여행", "field", "ка"}, {"소리", "side", "ый"}, {"비", "ridge", "ая"},
}

// Word is a word of the names Fill makes, and its language.
type Word struct{ Text, Lang string }

// Vocabulary returns the words Fill builds names from, in Korean, English
// and Russian.
func Vocabulary() []Word {
	var out []Word
	for _, s := range stems {
		for _, x := range suffixes {
			out = append(out, Word{s.ko + x.ko, "ko"}, Word{s.en + x.en, "en"}, Word{s.ru + x.ru, "ru"})
		}
	}
	return out
}

// Fill adds n titles in Categories categories to s, in batches.
func Fill(ctx context.Context, s *catalog.Store, n int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	err := s.Write(ctx, func(w *catalog.Writer) error {
		for i := range Categories {
			c := operator.Category{ID: fmt.Sprintf("cat%02d", i), Name: operator.Text{"en": fmt.Sprintf("Category %d", i), "ko": fmt.Sprintf("분류 %d", i)}}
			if err := w.AddCategory(c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	const batch = 5000
	for start := 0; start < n; start += batch {
		err := s.Write(ctx, func(w *catalog.Writer) error {
			for i := start; i < min(n, start+batch); i++ {
				if err := w.AddTitle(title(r, i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return s.Optimize(ctx)
}

// title makes the i-th title: two or three words per name.
func title(r *rand.Rand, i int) operator.Title {
	var ko, en, ru []string
	for range 2 + r.IntN(2) {
		s, x := stems[r.IntN(len(stems))], suffixes[r.IntN(len(suffixes))]
		ko = append(ko, s.ko+x.ko)
		en = append(en, s.en+x.en)
		ru = append(ru, s.ru+x.ru)
	}
	return operator.Title{
		ID:          fmt.Sprintf("t%06d", i),
		CategoryID:  fmt.Sprintf("cat%02d", i%Categories),
		Name:        operator.Text{"ko": strings.Join(ko, " "), "en": titleCase(strings.Join(en, " ")), "ru": strings.Join(ru, " ")},
		Description: operator.Text{"en": "A generated title for benchmarks."},
		Year:        1950 + r.IntN(75),
		DurationSec: 600 + r.IntN(7200),
		Language:    []string{"ko", "en", "ru"}[r.IntN(3)],
		Rating:      []string{"ALL", "12", "15", "19"}[r.IntN(4)],
		PosterURL:   fmt.Sprintf("t%06d/poster.jpg", i),
	}
}

func titleCase(s string) string {
	f := strings.Fields(s)
	for i, w := range f {
		f[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(f, " ")
}
