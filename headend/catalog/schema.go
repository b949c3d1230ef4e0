package catalog

// schema creates the catalog's tables. Texts in several languages
// (operator.Text) are stored as JSON objects. pos columns keep the
// operator's order, and so do the titles' n (a title keeps its n when it
// is replaced); times are Unix seconds.
//
// titles_fts indexes the titles' names, normalised (see normalise), one
// column per language, each name after a space, with FTS5's trigram
// tokenizer: any substring of three characters or more, and any two
// characters at the start of a word (" xy"), is found through the index,
// in every script. titles_ko, titles_en and titles_ru index each language
// alone (contentless), so that ordering by the viewer's language never
// reads the other languages' postings.
const schema = `
CREATE TABLE IF NOT EXISTS categories (
	id   TEXT PRIMARY KEY,
	pos  INTEGER NOT NULL,
	name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS series (
	id          TEXT PRIMARY KEY,
	category_id TEXT NOT NULL REFERENCES categories(id),
	pos         INTEGER NOT NULL,
	name        TEXT NOT NULL,
	description TEXT NOT NULL,
	poster      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS titles (
	n            INTEGER PRIMARY KEY,
	id           TEXT NOT NULL UNIQUE,
	category_id  TEXT NOT NULL REFERENCES categories(id),
	name         TEXT NOT NULL,
	description  TEXT NOT NULL,
	year         INTEGER NOT NULL,
	duration_sec INTEGER NOT NULL,
	language     TEXT NOT NULL,
	rating       TEXT NOT NULL,
	poster       TEXT NOT NULL,
	series_id    TEXT REFERENCES series(id),
	season       INTEGER NOT NULL,
	episode      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS titles_by_category ON titles(category_id);
CREATE INDEX IF NOT EXISTS titles_by_series ON titles(series_id, season, episode);
CREATE VIRTUAL TABLE IF NOT EXISTS titles_fts USING fts5(
	ko, en, ru, other,
	tokenize = 'trigram case_sensitive 1'
);
CREATE VIRTUAL TABLE IF NOT EXISTS titles_ko USING fts5(name, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1');
CREATE VIRTUAL TABLE IF NOT EXISTS titles_en USING fts5(name, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1');
CREATE VIRTUAL TABLE IF NOT EXISTS titles_ru USING fts5(name, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1');
CREATE TABLE IF NOT EXISTS groups (
	id   TEXT PRIMARY KEY,
	pos  INTEGER NOT NULL,
	name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS channels (
	id        TEXT PRIMARY KEY,
	number    INTEGER NOT NULL UNIQUE,
	name      TEXT NOT NULL,
	logo      TEXT NOT NULL,
	grp       TEXT REFERENCES groups(id),
	source    TEXT NOT NULL,
	multicast TEXT NOT NULL,
	protocol  TEXT NOT NULL,
	rating    TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS programmes (
	channel_id  TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
	start       INTEGER NOT NULL,
	stop        INTEGER NOT NULL,
	title       TEXT NOT NULL,
	description TEXT NOT NULL,
	PRIMARY KEY (channel_id, start)
) WITHOUT ROWID;
`
