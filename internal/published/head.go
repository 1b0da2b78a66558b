package published

import (
	"context"

	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/render"
)

// RenderHead renders a document's head revision in the delivered shape,
// for the newsroom UI's preview: the same rendering code as publishing, so
// the preview looks like the public page. The actor must be allowed to
// read the document; one they may not see is not found.
func (s *Service) RenderHead(ctx context.Context, actor cms.Actor, documentID string) (render.Document, error) {
	if _, err := s.docs.Document(ctx, actor, documentID); err != nil {
		return render.Document{}, err
	}
	return s.renderHead(ctx, documentID)
}

// RenderMarkdown renders the editor's Markdown exactly as publishing
// will: CommonMark, sanitized by the same policy. The editor's live
// preview asks for it, so nothing a writer types runs in a colleague's
// browser before it is cleaned.
func (s *Service) RenderMarkdown(markdown string) string { return s.renderer.HTML(markdown) }
