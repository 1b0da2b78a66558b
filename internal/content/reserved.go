package content

import (
	"context"
	"slices"
	"strings"
	"sync"
)

// reservedSlugs are the first path segments Masthead's own routes take,
// and the reader site's, which serves a series at /{series}: a series
// with one of these slugs would be shadowed by a route, or shadow it. The
// list holds the site's routes even before they are mounted, and
// ReserveSlugs adds those found among the routes actually registered.
var reservedSlugs = []string{
	"admin", "api", "assets", "contributors", "delivery", "feed", "feeds", "healthz", "media",
	"preview", "readyz", "robots", "search", "sitemap", "static", "subscribe", "topics", "well-known",
}

// reserved is the set a Service checks series slugs against.
type reserved struct {
	mu  sync.RWMutex
	set map[string]bool
}

func (r *reserved) has(slug string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.set[slug]
}

// ReserveSlugs refuses, from now on, a new series whose slug is one of
// names, or the first segment of one of paths ("/sitemap.xml" reserves
// "sitemap.xml" and "sitemap"). The app calls it with its routes once they
// are registered.
func (s *Service) ReserveSlugs(paths ...string) {
	s.reserved.mu.Lock()
	defer s.reserved.mu.Unlock()
	if s.reserved.set == nil {
		s.reserved.set = map[string]bool{}
	}
	for _, p := range paths {
		first, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
		if first == "" || strings.ContainsAny(first[:1], ":*") {
			continue // a parameter: /{series} itself
		}
		s.reserved.set[first] = true
		if stem, _, ok := strings.Cut(first, "."); ok {
			s.reserved.set[stem] = true
		}
	}
}

// ReservedSlugs lists what ReserveSlugs reserved, sorted.
func (s *Service) ReservedSlugs() []string {
	s.reserved.mu.RLock()
	defer s.reserved.mu.RUnlock()
	out := make([]string, 0, len(s.reserved.set))
	for k := range s.reserved.set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// ShadowedSeries lists the existing series whose slug a route takes (made
// before the route was reserved): the app reports them at start, as their
// pages cannot be reached at /{series}.
func (s *Service) ShadowedSeries(ctx context.Context) ([]string, error) {
	all, err := s.store.FindAllSeries(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, sr := range all {
		if s.reserved.has(sr.Slug) {
			out = append(out, sr.Slug)
		}
	}
	return out, nil
}
