package content

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/masthead-cms/masthead/internal/cms"
)

// NewComment is the input for a comment.
type NewComment struct {
	Field string `json:"field"`
	Body  string `json:"body"`
}

// checkCommentBody refuses an empty or over-long comment.
func checkCommentBody(body string) error {
	if body == "" || utf8.RuneCountInString(body) > maxNoteLength {
		return cms.Invalid("body", fmt.Sprintf("is required and at most %d characters", maxNoteLength))
	}
	return nil
}

// Comments lists a document's comments, oldest first.
func (s *Service) Comments(ctx context.Context, actor cms.Actor, id string) ([]Comment, error) {
	if _, err := s.visibleDocument(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.store.FindComments(ctx, id)
}

// AddComment adds a comment to a document, optionally on one of its fields.
func (s *Service) AddComment(ctx context.Context, actor cms.Actor, id string, in NewComment) (Comment, error) {
	d, err := s.visibleDocument(ctx, actor, id)
	if err != nil {
		return Comment{}, err
	}
	if err := s.authz.Can(actor, "comment", documentObject(d)); err != nil {
		return Comment{}, err
	}
	body := strings.TrimSpace(in.Body)
	if err := checkCommentBody(body); err != nil {
		return Comment{}, err
	}
	if in.Field != "" {
		ct, err := s.store.FindContentType(ctx, d.Type)
		if err != nil {
			return Comment{}, err
		}
		if _, ok := ct.field(in.Field); !ok && !oneOf(in.Field, []string{"title", "slug", "topics", "byline", "hero", "credits"}) {
			return Comment{}, cms.Invalid("field", "is not a field of this document")
		}
	}
	c := Comment{ID: cms.NewID(), DocumentID: d.ID, Field: in.Field, AuthorID: actor.UserID, Body: body, CreatedAt: s.now()}
	return c, s.store.DocumentTx(ctx, func(tx Store) error {
		if err := tx.AddComment(ctx, c); err != nil {
			return err
		}
		for _, h := range s.hooks {
			if w, ok := h.(CommentWatcher); ok {
				if err := w.CommentAdded(ctx, tx, d, c); err != nil {
					return fmt.Errorf("content: comment hook: %w", err)
				}
			}
		}
		return nil
	})
}

// ResolveComment marks a comment resolved.
func (s *Service) ResolveComment(ctx context.Context, actor cms.Actor, id, commentID string) (Comment, error) {
	d, err := s.visibleDocument(ctx, actor, id)
	if err != nil {
		return Comment{}, err
	}
	if err := s.authz.Can(actor, "comment", documentObject(d)); err != nil {
		return Comment{}, err
	}
	return s.store.ResolveComment(ctx, d.ID, commentID, actor.UserID, s.now())
}

// Events returns a document's audit trail, oldest first.
func (s *Service) Events(ctx context.Context, actor cms.Actor, id string) ([]Event, error) {
	if _, err := s.visibleDocument(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.store.FindEvents(ctx, id)
}
