package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/masthead-cms/masthead/internal/cms"
)

// MaxQueryLength is the longest query accepted, in characters.
const MaxQueryLength = 256

// Query is a parsed search: every group must match, no excluded term may.
// It is built only by Parse, so every word in it is letters and digits:
// nothing a reader types reaches an engine's query syntax.
type Query struct {
	Groups   []Group // ANDed
	Excluded []Term
	// OnlyStopWords is set when the reader typed words, but all of them
	// too common to search for: such a query finds nothing.
	OnlyStopWords bool
}

// Group matches when any of its terms does ("a OR b").
type Group struct {
	Terms []Term
}

// Term is one word, a phrase (several words in order), or a prefix.
type Term struct {
	Words  []string
	Prefix bool // the last word is a prefix: calibr*
}

// Empty reports whether the query has nothing to find.
func (q Query) Empty() bool { return len(q.Groups) == 0 }

// Parse reads a reader's query: words, "quoted phrases", prefix*, -excluded
// terms and OR between terms. Anything else is ignored, never an error,
// except an over-long query.
func Parse(s string) (Query, error) {
	if utf8.RuneCountInString(s) > MaxQueryLength {
		return Query{}, cms.Invalid("q", "must be at most 256 characters")
	}
	var q Query
	orNext := false
	for _, tok := range tokenize(s) {
		if tok.text == "OR" && !tok.quoted {
			orNext = len(q.Groups) > 0
			continue
		}
		term, ok := termOf(tok)
		if !ok {
			continue
		}
		if len(term.Words) == 1 && !term.Prefix && stopWords[term.Words[0]] {
			q.OnlyStopWords = true
			continue
		}
		switch {
		case tok.negated:
			q.Excluded = append(q.Excluded, term)
		case orNext:
			last := &q.Groups[len(q.Groups)-1]
			last.Terms = append(last.Terms, term)
		default:
			q.Groups = append(q.Groups, Group{Terms: []Term{term}})
		}
		orNext = false
	}
	if len(q.Groups) > 0 {
		q.OnlyStopWords = false
	}
	return q, nil
}

type token struct {
	text    string
	quoted  bool
	negated bool
}

// tokenize splits on spaces, keeping "quoted phrases" whole and noting a
// leading minus. An unclosed quote runs to the end.
func tokenize(s string) []token {
	var out []token
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		t := token{}
		if rs[i] == '-' && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]) {
			t.negated = true
			i++
		}
		if i < len(rs) && rs[i] == '"' {
			end := i + 1
			for end < len(rs) && rs[end] != '"' {
				end++
			}
			t.text, t.quoted = string(rs[i+1:min(end, len(rs))]), true
			i = end + 1
		} else {
			end := i
			for end < len(rs) && !unicode.IsSpace(rs[end]) {
				end++
			}
			t.text = string(rs[i:end])
			i = end
		}
		out = append(out, t)
	}
	return out
}

// termOf turns a token into a term of plain words: letters and digits,
// lower-cased, at most 32 characters each and 8 per phrase.
func termOf(t token) (Term, bool) {
	text := t.text
	prefix := !t.quoted && strings.HasSuffix(text, "*")
	words := Words(text)
	if len(words) == 0 {
		return Term{}, false
	}
	if len(words) > 8 {
		words = words[:8]
	}
	// A prefix needs a stem long enough to be selective.
	if prefix && utf8.RuneCountInString(words[len(words)-1]) < 2 {
		prefix = false
	}
	return Term{Words: words, Prefix: prefix}, true
}

// Words splits text into lower-case words of letters and digits, the way
// both engines' tokenizers do.
func Words(text string) []string {
	var words []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		w = strings.ToLower(w)
		if r := []rune(w); len(r) > 32 {
			w = string(r[:32])
		}
		words = append(words, w)
	}
	return words
}

// stopWords are PostgreSQL's English stop words (Snowball's list). A
// single-word term that is a stop word is dropped on both engines, so
// that both find the same documents.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`i me my myself we our ours ourselves you your yours yourself yourselves
he him his himself she her hers herself it its itself they them their theirs themselves what which who
whom this that these those am is are was were be been being have has had having do does did doing a an
the and but if or because as until while of at by for with about against between into through during
before after above below to from up down in out on off over under again further then once here there
when where why how all any both each few more most other some such no nor not only own same so than too
very s t can will just don should now`) {
		m[w] = true
	}
	return m
}()
