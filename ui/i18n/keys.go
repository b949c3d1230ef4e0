package i18n

// Message keys. A comment names the arguments of a message that takes
// some; every language's message takes the same.
const (
	AppName         = "app.name"
	Loading         = "loading"
	LoadingCatalog  = "home.loading"
	CatalogEmpty    = "home.empty"
	CatalogUpdating = "home.updating"
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
	RatingAge       = "rating.age" // %s: 12, 15, 19
	EndOfTitle      = "player.ended"
	ContinueWithout = "player.no_audio"

	// Home's navigation and rows.
	NavSearch     = "nav.search"
	NavLive       = "nav.live"
	NavGuide      = "nav.guide"
	NavSettings   = "nav.settings"
	RowContinue   = "row.continue"
	RowLiveNow    = "row.live_now"
	RowFavourites = "row.favourites"
	SeeAll        = "row.see_all"
	SeeAllCount   = "row.see_all_count" // %d titles
	Live          = "badge.live"
	Watched       = "badge.watched" // %d percent

	// The category grid.
	GridCount     = "grid.count" // %d focused, %d total
	CategoryEmpty = "grid.empty"
	HintGrid      = "hint.grid"

	// The title page.
	Play            = "detail.play"
	PlayFromStart   = "detail.play_start"
	ResumeFrom      = "detail.resume" // %s position
	AddFavourite    = "detail.fav_add"
	RemoveFavourite = "detail.fav_remove"
	EpisodeOf       = "detail.episode" // %d season, %d episode
	HintDetail      = "hint.detail"

	// Search.
	SearchTitle   = "search.title"
	SearchPrompt  = "search.prompt"
	Searching     = "search.searching"
	NoResults     = "search.none" // %s query
	Recent        = "search.recent"
	NoRecent      = "search.no_recent"
	ResultsCount  = "search.count" // %d found
	HintSearch    = "hint.search"
	HintResults   = "hint.results"
	KeyboardSpace = "kbd.space"
	KeyboardDone  = "kbd.done"

	// Live TV.
	LiveTitle       = "live.title"
	NowLabel        = "live.now"
	NextLabel       = "live.next"
	NoChannel       = "live.no_channel" // %d number
	NoLiveTV        = "live.none"
	LoadingChannels = "live.loading"
	NoProgramme     = "live.no_programme"
	HintLive        = "hint.live"
	HintLivePlayer  = "hint.live_player"
	MinutesLeft     = "live.left" // %d minutes

	// The programme guide.
	GuideTitle   = "guide.title"
	Today        = "guide.today"
	Tomorrow     = "guide.tomorrow"
	Yesterday    = "guide.yesterday"
	LoadingGuide = "guide.loading"
	Catchup      = "guide.catchup"
	HintGuide    = "hint.guide"

	// The player's on-screen display.
	AudioTrack   = "player.audio"
	Subtitles    = "player.subtitles"
	SubtitlesOff = "player.subtitles_off"
	TrackN       = "player.track" // %d
	OnlyTrack    = "player.only_track"
	NoSubtitles  = "player.no_subtitles"
	CannotSeek   = "player.cannot_seek"
	Reconnecting = "player.reconnecting"
	Volume       = "player.volume" // %d
	Muted        = "player.muted"
	InfoVideo    = "info.video"
	InfoAudio    = "info.audio"
	InfoBitrate  = "info.bitrate"
	InfoFrames   = "info.frames" // %d shown, %d dropped, %d errors
	InfoDrift    = "info.drift"  // %.0f ms
	InfoOutput   = "info.output"
	InfoNetwork  = "info.network" // %d lost, %d recovered
	HintTracks   = "hint.tracks"

	// Settings.
	SettingsTitle     = "settings.title"
	SetLanguage       = "settings.language"
	SetOperator       = "settings.operator"
	SetParental       = "settings.parental"
	ParentalOff       = "settings.parental_off"
	ParentalFrom      = "settings.parental_from" // %s rating
	SetPIN            = "settings.pin"
	SetResolution     = "settings.resolution"
	ResolutionAuto    = "settings.resolution_auto"
	SetOverscan       = "settings.overscan"
	OverscanHelp      = "settings.overscan_help"
	SetAudio          = "settings.audio"
	AudioAuto         = "settings.audio_auto"
	AudioOff          = "settings.audio_off"
	SetNetwork        = "settings.network"
	NetConnected      = "settings.net_connected"
	NetNone           = "settings.net_none"
	NetServerOK       = "settings.net_server_ok"
	NetServerDown     = "settings.net_server_down"
	NetChecking       = "settings.net_checking"
	SetAbout          = "settings.about"
	AboutModel        = "settings.model"
	AboutSerial       = "settings.serial"
	AboutFirmware     = "settings.firmware"
	SetUpdate         = "settings.update"
	UpdateCheck       = "settings.update_check"
	UpdateChecking    = "settings.update_checking"
	UpdateNone        = "settings.update_none"
	UpdateInstalled   = "settings.update_installed" // %s version
	UpdateUnavailable = "settings.update_unavailable"
	UpdateFailed      = "settings.update_failed"
	UpdateDownloading = "settings.update_downloading" // %s version
	UpdateWriting     = "settings.update_writing"     // %s version
	UpdateUnconfirmed = "settings.update_unconfirmed"
	Change            = "settings.change"
	HintSettings      = "hint.settings"

	// The PIN prompt.
	PINEnter    = "pin.enter"
	PINWrong    = "pin.wrong"
	PINNew      = "pin.new"
	PINConfirm  = "pin.confirm"
	PINMismatch = "pin.mismatch"
	PINChanged  = "pin.changed"
	PINRated    = "pin.rated"   // %s rating
	PINChannel  = "pin.channel" // %s channel, %s rating
	HintPIN     = "hint.pin"

	// Typing an address.
	EnterOperator = "entry.operator"
	HintEntry     = "hint.entry"

	// What the box remembers, and clearing it.
	SetPrivacy        = "settings.privacy"
	PrivacySummary    = "privacy.summary" // %d things remembered
	PrivacyKeepResume = "privacy.keep_resume"
	PrivacyOnBox      = "privacy.on_box"
	PrivacyShared     = "privacy.shared"
	PrivacyKeepHelp   = "privacy.keep_help"
	PrivacyResume     = "privacy.resume"
	PrivacySearches   = "privacy.searches"
	PrivacyChannels   = "privacy.channels"
	PrivacyAll        = "privacy.all"
	PrivacyCount      = "privacy.count" // %d
	PrivacyNone       = "privacy.none"
	PrivacyClearHelp  = "privacy.clear_help"
	HintPrivacy       = "hint.privacy"

	// Settings' phone remote: pairing a phone as a network remote.
	SetPhones       = "settings.phones"
	PhonesSummary   = "phones.summary" // %d phones paired
	PhonesOff       = "phones.off"
	PhonesNone      = "phones.none" // the box has no network remote
	PhonesOn        = "phones.on"
	PhonesOnOff     = "phones.on_off"
	PhonesPair      = "phones.pair"
	PhonesPairValue = "phones.pair_value"
	PhonesPairAgain = "phones.pair_again"
	PhonesScan      = "phones.scan"
	PhonesCode      = "phones.code"
	PhonesCloses    = "phones.closes" // %s (m:ss)
	PhonesPaired    = "phones.paired" // %s: the phone's name
	PhonesRemove    = "phones.remove" // %s: the date paired
	PhonesUnnamed   = "phones.unnamed"
	PhonesNoAddress = "phones.no_address"
	PhonesFailed    = "phones.failed"
	PhonesHelp      = "phones.help"
	HintPhones      = "hint.phones"

	// An operator's address the box will not send its token to.
	Insecure       = "error.insecure"
	InsecureDetail = "error.insecure_detail"

	// Errors.
	NoNetwork       = "error.network"
	NoNetworkDetail = "error.network_detail"
	ServerDetail    = "error.server_detail"
	NotAvailable    = "error.not_available"
	HintRetry       = "hint.retry"

	// The operator refused a request (an HTTP 4xx answer): what is wrong,
	// and what the viewer can do about it.
	RefusedDenied       = "error.refused_denied"
	RefusedDeniedDetail = "error.refused_denied_detail"
	RefusedGone         = "error.refused_gone"
	RefusedGoneDetail   = "error.refused_gone_detail"
	RefusedLive         = "error.refused_live"
	RefusedLiveDetail   = "error.refused_live_detail"
	RefusedBusy         = "error.refused_busy"
	RefusedBusyDetail   = "error.refused_busy_detail"
	Refused             = "error.refused"
	RefusedDetail       = "error.refused_detail"
	// The viewer's own media: Home's row, the browser, photos, songs.
	RowMedia          = "media.row"
	MediumConnected   = "media.connected" // %s label
	MediumRemoved     = "media.removed"   // %s label
	BrowserEmpty      = "media.empty"
	BrowserEmptyKind  = "media.empty_kind" // %s kind shown
	BrowserUnreadable = "media.unreadable" // %s folder
	BrowserCount      = "media.count"      // %d focused, %d total
	SortName          = "media.sort_name"
	SortDate          = "media.sort_date"
	SortSize          = "media.sort_size"
	KindAll           = "media.kind_all"
	KindVideo         = "media.kind_video"
	KindMusic         = "media.kind_music"
	KindPhoto         = "media.kind_photo"
	HintBrowser       = "hint.browser"       // %s sort order, %s kind shown
	PhotoFailed       = "media.photo_failed" // %s file name
	PhotoCount        = "media.photo_count"  // %d photo, %d of them
	HintPhoto         = "hint.photo"
	HintPhotoZoomed   = "hint.photo_zoomed"
	NowPlaying        = "media.now_playing"
	SongOf            = "media.song_of" // %d song, %d of them
	HintSong          = "hint.song"     // %s shuffle word, %s repeat word
	ShuffleOn         = "media.shuffle_on"
	ShuffleOff        = "media.shuffle_off"
	RepeatOff         = "media.repeat_off"
	RepeatAll         = "media.repeat_all"
	RepeatOne         = "media.repeat_one"
	Slideshow         = "media.slideshow"
	Zoomed            = "media.zoomed" // %d times
	UnitGB            = "unit.gb"      // %s number
	UnitMB            = "unit.mb"      // %s number
	UnitKB            = "unit.kb"      // %s number
)
