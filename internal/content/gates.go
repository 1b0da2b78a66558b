package content

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// goesLive reports whether action can make a revision live, now or later:
// those are the actions the publish gates guard.
func goesLive(action workflow.Action) bool {
	return action == workflow.Publish || action == workflow.Schedule || action == workflow.Clock
}

// Attribution is what the publish gates read of a hero image.
type Attribution struct {
	Alt     string
	Licence string
}

// blockFunc records one unmet gate.
type blockFunc func(reason, message string)

// publishBlockers lists every reason d cannot go live at at. It runs in
// the transaction that would publish d (tx), so that what it reads cannot
// change before the commit, and it lists them all at once: a publisher
// fixes everything in one go, and a release names each item that holds it
// back (cms.Blocked).
//
// The gates read d as it is: that is the revision going live, since one
// that is not the approved revision is refused as not approved anyway.
func (s *Service) publishBlockers(ctx context.Context, tx Store, d Document, at time.Time) ([]cms.Blocker, error) {
	var out []cms.Blocker
	block := func(reason, message string) {
		out = append(out, cms.Blocker{DocumentID: d.ID, Title: d.Title, Reason: reason, Message: message})
	}
	// What goes live is the approved revision; an edit since then voids
	// the approval (workflow.AfterEdit), so it must be approved again.
	if d.ApprovedRevision == nil || *d.ApprovedRevision != d.HeadRevision {
		block("not_approved", "it is not approved in its current revision")
	}
	for _, gate := range []func(context.Context, Store, Document, blockFunc) error{
		s.heroGate, s.imageAltGate, s.creditGate,
	} {
		if err := gate(ctx, tx, d, block); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// heroGate asks for a licence and an alt text on the hero: an image may
// not go out without the right to show it, nor without words for readers
// who cannot see it.
func (s *Service) heroGate(ctx context.Context, tx Store, d Document, block blockFunc) error {
	if d.Hero == nil || s.heroAttribution == nil {
		return nil
	}
	a, err := s.heroAttribution(ctx, tx, *d.Hero)
	if cms.IsCode(err, cms.CodeNotFound) {
		block("hero_missing", "its hero image no longer exists")
		return nil
	}
	if err != nil {
		return err
	}
	if strings.TrimSpace(a.Licence) == "" {
		block("hero_licence", "its hero image has no licence")
	}
	if strings.TrimSpace(a.Alt) == "" {
		block("hero_alt", "its hero image has no alt text")
	}
	return nil
}

// imageAltGate asks for alt text on every image in the rich-text fields,
// one blocker per field that lacks some.
func (s *Service) imageAltGate(ctx context.Context, tx Store, d Document, block blockFunc) error {
	if s.imagesWithoutAlt == nil {
		return nil
	}
	ct, err := tx.FindContentType(ctx, d.Type)
	if err != nil {
		return err
	}
	for _, f := range ct.Fields {
		md, ok := d.Fields[f.Name].(string)
		if f.Kind != KindRichText || !ok {
			continue
		}
		if n := s.imagesWithoutAlt(md); n > 0 {
			block("image_alt", fmt.Sprintf("%s has %d image(s) without alt text", f.Label, n))
		}
	}
	return nil
}

// creditGate asks for the credit the series requires, such as an editor
// for a newsletter whose footer names its editor.
func (s *Service) creditGate(ctx context.Context, tx Store, d Document, block blockFunc) error {
	sr, err := tx.FindSeries(ctx, d.Series)
	if err != nil {
		return err
	}
	if sr.RequiresCredit == "" {
		return nil
	}
	for _, c := range d.Credits {
		if c.Role == sr.RequiresCredit {
			return nil
		}
	}
	block("credit_required", fmt.Sprintf("%s requires a credit as %s", sr.Name, sr.RequiresCredit))
	return nil
}
