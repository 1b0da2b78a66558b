package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/newsletter"
)

// subjects say each kind in a mail's subject, before the title.
var subjects = map[Kind]string{
	Submitted:        "Waiting for your review",
	ChangesRequested: "Changes requested",
	Approved:         "Approved",
	Published:        "Published",
	Scheduled:        "Scheduled",
	Mentioned:        "You were mentioned",
	Assigned:         "Assigned to you",
	TakenOver:        "Someone took over your editing",
}

// TakenOver tells holderID that by took over their edit lock of d.
func (s *Service) TakenOver(ctx context.Context, d content.Document, holderID string, by cms.Actor) error {
	return s.send(ctx, s.store, TakenOver, d, by.UserID, "", []string{holderID})
}

// send tells each of who, once, about d: never the actor, only active
// users who may read it; mail unless they switched the kind off.
func (s *Service) send(ctx context.Context, st Store, kind Kind, d content.Document, actorID, note string, who []string) error {
	actorName := "Masthead"
	if a, err := st.FindUserByID(ctx, actorID); err == nil {
		actorName = a.Name
	}
	var done []string
	for _, id := range who {
		if id == "" || id == actorID || slices.Contains(done, id) {
			continue
		}
		done = append(done, id)
		u, err := st.FindUserByID(ctx, id)
		if cms.IsCode(err, cms.CodeNotFound) {
			continue
		} else if err != nil {
			return err
		}
		if !u.Active || !s.mayRead(u.ID, d) {
			continue
		}
		docID := d.ID
		n := Notification{ID: cms.NewID(), Kind: kind, DocumentID: &docID, ActorID: actorID, Note: note,
			CreatedAt: s.now(), RecipientID: u.ID}
		if err := st.AddNotification(ctx, n); err != nil {
			return err
		}
		if err := s.mail(ctx, st, u, kind, s.message(kind, d, actorName, note)); err != nil {
			return err
		}
	}
	return nil
}

// message is the subject and body of a mail about d.
func (s *Service) message(kind Kind, d content.Document, actorName, note string) [2]string {
	subject := subjects[kind] + ": " + d.Title
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s, by %s.\n\n", subjects[kind], d.Title, actorName)
	if note != "" {
		fmt.Fprintf(&b, "%s\n\n", note)
	}
	fmt.Fprintf(&b, "Open it: %s\n\nYou get this mail because of your notification settings: %s\n",
		s.link("/admin/documents/"+d.ID), s.link("/admin/notifications"))
	return [2]string{subject, b.String()}
}

// mail queues one message to u unless u switched kind off.
func (s *Service) mail(ctx context.Context, st Store, u auth.User, kind Kind, msg [2]string) error {
	if !s.mailOn {
		return nil
	}
	prefs, err := st.FindMailPrefs(ctx, u.ID)
	if err != nil {
		return err
	}
	if on, set := prefs[kind]; set && !on {
		return nil
	}
	return st.QueueMail(ctx, newsletter.Mail{ID: cms.NewID(), To: u.Email, Subject: msg[0], Body: msg[1], AutoSubmitted: true})
}

// link is an absolute address on this site.
func (s *Service) link(path string) string {
	if s.baseURL == nil {
		return path
	}
	return strings.TrimSuffix(s.baseURL.String(), "/") + path
}
