package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/workflow"
)

// SendDigests sends each person with work due by the end of tomorrow (or
// overdue) their one digest of the day (UTC): one notification in the app
// and one mail. A row per person and day, claimed in the transaction that
// queues the mail, makes it once however many instances run it.
func (s *Service) SendDigests(ctx context.Context) (int, error) {
	users, err := s.store.FindUsers(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now()
	day := now.Format(time.DateOnly)
	sent := 0
	for _, u := range users {
		if !u.Active {
			continue
		}
		due, late, err := s.dueFor(ctx, u, now)
		if err != nil {
			return sent, err
		}
		if len(due)+len(late) == 0 {
			continue
		}
		ok, err := s.sendDigest(ctx, u, day, due, late)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// dueFor lists what waits for u (assigned to them, or theirs and
// assigned to nobody) due by the end of tomorrow, split into due and
// overdue; only documents still in the works that u may read.
func (s *Service) dueFor(ctx context.Context, u auth.User, now time.Time) (due, late []content.Document, err error) {
	y, m, d := now.Date()
	end := time.Date(y, m, d+2, 0, 0, 0, 0, time.UTC)
	assigned, err := s.store.FindDocuments(ctx, content.DocumentFilter{AssigneeID: u.ID, DueBefore: &end, Limit: maxLimit})
	if err != nil {
		return nil, nil, err
	}
	owned, err := s.store.FindDocuments(ctx, content.DocumentFilter{OwnerID: u.ID, DueBefore: &end, Limit: maxLimit})
	if err != nil {
		return nil, nil, err
	}
	for _, doc := range owned {
		if doc.Assignee == nil {
			assigned = append(assigned, doc)
		}
	}
	for _, doc := range assigned {
		if !inTheWorks(doc.State) || !s.mayRead(u.ID, doc) {
			continue
		}
		if doc.DueAt.Before(now) {
			late = append(late, doc)
		} else {
			due = append(due, doc)
		}
	}
	return due, late, nil
}

// inTheWorks reports whether a document in state can still be late.
func inTheWorks(st workflow.State) bool {
	return st != workflow.Scheduled && st != workflow.Published && st != workflow.Archived
}

// sendDigest claims u's digest of day and, if this instance got it,
// writes the notification and queues the mail in the same transaction.
func (s *Service) sendDigest(ctx context.Context, u auth.User, day string, due, late []content.Document) (bool, error) {
	claimed := false
	err := s.store.NotifyTx(ctx, func(tx Store) error {
		ok, err := tx.ClaimDigest(ctx, u.ID, day, s.now())
		if err != nil || !ok {
			return err
		}
		claimed = true
		note := fmt.Sprintf("%d due by tomorrow, %d overdue", len(due), len(late))
		n := Notification{ID: cms.NewID(), Kind: Digest, ActorID: cms.System.UserID, Note: note, CreatedAt: s.now(), RecipientID: u.ID}
		if err := tx.AddNotification(ctx, n); err != nil {
			return err
		}
		return s.mail(ctx, tx, u, Digest, [2]string{"Your day: " + note, s.digestBody(due, late)})
	})
	return claimed, err
}

// digestBody lists the overdue documents, then those due soon.
func (s *Service) digestBody(due, late []content.Document) string {
	var b strings.Builder
	for _, part := range []struct {
		title string
		docs  []content.Document
	}{{"Overdue", late}, {"Due by the end of tomorrow", due}} {
		if len(part.docs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s:\n", part.title)
		for _, d := range part.docs {
			fmt.Fprintf(&b, "- %s (due %s) %s\n", d.Title, d.DueAt.UTC().Format("2 Jan 15:04 UTC"), s.link("/admin/documents/"+d.ID))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Your notification settings: %s\n", s.link("/admin/notifications"))
	return b.String()
}

// RunDigests calls SendDigests every interval until ctx ends.
func (s *Service) RunDigests(ctx context.Context, interval time.Duration, onError func(error)) {
	cms.Every(ctx, interval, func(ctx context.Context) {
		if _, err := s.SendDigests(ctx); err != nil && ctx.Err() == nil {
			onError(err)
		}
	})
}
