// Package i18n holds the words the UI shows, in Korean, English and Russian.
package i18n

import "fmt"

// Languages the UI speaks, in the order the settings offer them.
var Languages = []string{"ko", "en", "ru"}

// Message keys.
const (
	AppName         = "app.name"
	Loading         = "loading"
	LoadingCatalog  = "home.loading"
	CatalogEmpty    = "home.empty"
	ServerDown      = "error.server"
	RetryIn         = "error.retry_in" // %d seconds
	RetryNow        = "error.retry_now"
	StreamFailed    = "error.stream"
	HintHome        = "hint.home"
	HintPlayer      = "hint.player"
	HintError       = "hint.error"
	Paused          = "player.paused"
	Opening         = "player.opening"
	StreamInfo      = "player.info"
	Minutes         = "unit.minutes" // %d
	RatingAll       = "rating.all"
	EndOfTitle      = "player.ended"
	ContinueWithout = "player.no_audio"
)

var messages = map[string]map[string]string{
	"ko": {
		AppName:         "만방",
		Loading:         "불러오는 중…",
		LoadingCatalog:  "방송 목록을 불러오는 중…",
		CatalogEmpty:    "볼 수 있는 프로그램이 없습니다",
		ServerDown:      "서버에 연결할 수 없습니다",
		RetryIn:         "%d초 후 다시 시도합니다",
		RetryNow:        "확인: 지금 다시 시도",
		StreamFailed:    "재생할 수 없습니다",
		HintHome:        "◀ ▶ ▲ ▼ 이동   확인 재생",
		HintPlayer:      "확인 일시정지   정보 스트림 정보   취소 목록으로",
		HintError:       "취소 돌아가기",
		Paused:          "일시정지",
		Opening:         "여는 중…",
		StreamInfo:      "스트림 정보",
		Minutes:         "%d분",
		RatingAll:       "전체",
		EndOfTitle:      "끝",
		ContinueWithout: "소리 없이 재생 중",
	},
	"en": {
		AppName:         "Manbang",
		Loading:         "Loading…",
		LoadingCatalog:  "Loading the catalogue…",
		CatalogEmpty:    "Nothing to watch yet",
		ServerDown:      "Cannot reach the server",
		RetryIn:         "Retrying in %d s",
		RetryNow:        "OK: retry now",
		StreamFailed:    "This programme cannot be played",
		HintHome:        "◀ ▶ ▲ ▼ move   OK play",
		HintPlayer:      "OK pause   Info stream info   Back to the list",
		HintError:       "Back to return",
		Paused:          "Paused",
		Opening:         "Opening…",
		StreamInfo:      "Stream info",
		Minutes:         "%d min",
		RatingAll:       "All ages",
		EndOfTitle:      "The end",
		ContinueWithout: "Playing without sound",
	},
	"ru": {
		AppName:         "Манбан",
		Loading:         "Загрузка…",
		LoadingCatalog:  "Загрузка каталога…",
		CatalogEmpty:    "Пока нечего смотреть",
		ServerDown:      "Нет связи с сервером",
		RetryIn:         "Повтор через %d с",
		RetryNow:        "OK: повторить сейчас",
		StreamFailed:    "Не удаётся воспроизвести передачу",
		HintHome:        "◀ ▶ ▲ ▼ выбор   OK смотреть",
		HintPlayer:      "OK пауза   Инфо о потоке   Назад к списку",
		HintError:       "Назад — вернуться",
		Paused:          "Пауза",
		Opening:         "Открытие…",
		StreamInfo:      "О потоке",
		Minutes:         "%d мин",
		RatingAll:       "Для всех",
		EndOfTitle:      "Конец",
		ContinueWithout: "Воспроизведение без звука",
	},
}

// T returns the message for key in lang (English where lang is unknown),
// formatted with args.
func T(lang, key string, args ...any) string {
	m, ok := messages[lang]
	if !ok {
		m = messages["en"]
	}
	s, ok := m[key]
	if !ok {
		s = messages["en"][key]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	_, ok := messages[lang]
	return ok
}
