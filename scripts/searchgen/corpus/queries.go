package corpus

import (
	"fmt"
	"math/rand"

	"github.com/masthead-cms/masthead/internal/search"
)

// Query is one search of the benchmark mix.
type Query struct {
	Class  string
	Params search.Params
}

// Queries is the fixed query mix of the benchmark (about 200 searches):
// common, medium and rare words, two-word searches, phrases, prefixes,
// exclusions, OR, filters by series (a parent with its child, or a leaf),
// topic and year, and searches without words. Every other search asks for
// no facets (facets are on by default). The mix depends only on seed and
// tail, as the corpus does.
func Queries(seed int64, tail int) []Query {
	if tail <= 0 {
		tail = 200_000
	}
	vocab := vocabulary(rand.New(rand.NewSource(seed^0x5eed)), tail)
	r := rand.New(rand.NewSource(seed ^ 0x9e3779b9))
	stop := map[string]bool{}
	for _, w := range functionWords {
		if q, _ := search.Parse(w); q.Empty() {
			stop[w] = true
		}
	}
	// pick returns a word of rank in [lo, hi) that is not a stop word.
	pick := func(lo, hi int) string {
		for {
			w := vocab[lo+r.Intn(hi-lo)]
			if !stop[w] && len(w) > 2 {
				return w
			}
		}
	}
	common := func() string { return pick(20, 160) }
	medium := func() string { return pick(600, 4000) }
	rare := func() string { return pick(min(40_000, len(vocab)/2), len(vocab)) }
	prefix := func(w string) string {
		n := 4
		if len(w) > 7 {
			n = 5 + r.Intn(2)
		}
		return w[:min(n, len(w)-1)] + "*"
	}
	var out []Query
	add := func(class, q string, more ...string) {
		p := search.Params{Q: q}
		for i := 0; i+1 < len(more); i += 2 {
			switch more[i] {
			case "series":
				p.Series = more[i+1]
			case "topic":
				p.Topic = more[i+1]
			case "year":
				p.Year = more[i+1]
			}
		}
		if len(out)%2 == 1 {
			p.Facets = "false"
		}
		out = append(out, Query{Class: class, Params: p})
	}
	for i := 0; i < 22; i++ {
		add("common", common())
	}
	for i := 0; i < 22; i++ {
		add("medium", medium())
	}
	for i := 0; i < 22; i++ {
		add("rare", rare())
	}
	for i := 0; i < 16; i++ {
		switch i % 3 {
		case 0:
			add("and", common()+" "+common())
		case 1:
			add("and", common()+" "+medium())
		default:
			add("and", medium()+" "+rare())
		}
	}
	for i := 0; i < 20; i++ {
		if i%4 == 3 {
			add("phrase", `"`+common()+" "+common()+`"`)
			continue
		}
		add("phrase", `"`+phrases[r.Intn(len(phrases))]+`"`)
	}
	for i := 0; i < 20; i++ {
		switch i % 3 {
		case 0:
			add("prefix", prefix(common()))
		case 1:
			add("prefix", prefix(medium()))
		default:
			add("prefix", medium()+" "+prefix(common()))
		}
	}
	for i := 0; i < 16; i++ {
		switch i % 3 {
		case 0:
			add("exclude", common()+" -"+common())
		case 1:
			add("exclude", common()+" -"+medium())
		default:
			add("exclude", medium()+" -"+common())
		}
	}
	for i := 0; i < 16; i++ {
		switch i % 3 {
		case 0:
			add("or", common()+" OR "+common())
		case 1:
			add("or", medium()+" OR "+medium())
		default:
			add("or", rare()+" OR "+rare()+" OR "+medium())
		}
	}
	for i := 0; i < 22; i++ {
		s := []string{"the-peninsula", "korea-view", "energy-watch", "health-desk"}[i%4]
		switch i % 3 {
		case 0:
			add("series", common(), "series", s)
		case 1:
			add("series", medium(), "series", s)
		default:
			add("series", `"`+phrases[r.Intn(len(phrases))]+`"`, "series", s)
		}
	}
	for i := 0; i < 14; i++ {
		t := topics[r.Intn(8)]
		y := fmt.Sprint(Start.Year() + r.Intn(End.Year()-Start.Year()+1))
		switch i % 3 {
		case 0:
			add("filter", common(), "topic", t)
		case 1:
			add("filter", medium(), "year", y)
		default:
			add("filter", common(), "topic", t, "year", y)
		}
	}
	add("browse", "")
	add("browse", "")
	add("browse", "", "series", "the-peninsula")
	add("browse", "", "series", "the-peninsula")
	add("browse", "", "topic", "china")
	add("browse", "", "topic", "energy")
	add("browse", "", "year", "2020")
	add("browse", "", "year", "2024")
	return out
}
