package management_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// The reference briefing of shared/examples/korea-view-2021-04-14.txt.
var exampleBriefing = map[string]any{
	"type":   "briefing",
	"series": "korea-view",
	"title":  "Beijing Calibrates Its Approach to Seoul",
	"topics": []string{"China", "South Korea", "diplomacy"},
	"fields": map[string]any{
		"summary": "China raised joint dialogue with South Korea and a future 2+2 meeting.",
		"what_happened": []string{
			"During recent talks, the Chinese FM raised the idea of joint dialogue to reach a political resolution between North and South Korea.",
			"China also voiced support for South Korea’s goals of peace and denuclearization of the Korean Peninsula.",
			"The two foreign ministers discussed holding a future 2+2 meeting with diplomatic and security officials from both sides.",
		},
		"implications": "China’s engagement with South Korea seems more focused on calibrating Beijing’s position vis-à-vis Washington than addressing tangible challenges shared with Seoul.",
		"context":      "China’s move to establish regular meetings with South Korea follows Seoul’s continued closeness with members of the Quadrilateral Security Dialogue, or QUAD.",
	},
}

// newsroom sets up the example's series and contributors and one person
// per role, all on the Korea View series.
type newsroom struct {
	admin, writer, assistant, editor, publisher *apptest.Client
}

func setupNewsroom(t *testing.T, env *apptest.Env) newsroom {
	t.Helper()
	n := apptest.NewNewsroom(t, env)
	return newsroom{admin: n.Admin, writer: n.Writer, assistant: n.Assistant, editor: n.Editor, publisher: n.Publisher}
}

type doc struct {
	ID           string         `json:"id"`
	State        string         `json:"state"`
	Version      int            `json:"version"`
	HeadRevision int            `json:"head_revision"`
	LiveRevision *int           `json:"live_revision"`
	Fields       map[string]any `json:"fields"`
	Slug         string         `json:"slug"`
	Title        string         `json:"title"`
	CreditLine   string         `json:"credit_line"`
}

func decodeDoc(r *apptest.Response) doc {
	var d doc
	r.Decode(&d)
	if got := r.Header.Get("ETag"); got != fmt.Sprintf(`"%d"`, d.Version) {
		r.Want(-1) // fails with the body
	}
	return d
}

func transition(c *apptest.Client, d doc, action string, extra ...string) *apptest.Response {
	body := map[string]any{"action": action}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i]] = extra[i+1]
	}
	return c.Do("POST", "/api/v1/documents/"+d.ID+"/transitions", body)
}

func TestExampleBriefingFromDraftToPublished(t *testing.T) {
	t.Parallel()
	apptest.Run(t, func(t *testing.T, env *apptest.Env) {
		n := setupNewsroom(t, env)

		d := decodeDoc(n.writer.Do("POST", "/api/v1/documents", exampleBriefing).Want(http.StatusCreated))
		if d.State != "draft" || d.Version != 1 || d.Slug != "beijing-calibrates-its-approach-to-seoul" {
			t.Fatalf("created %+v", d)
		}
		d = decodeDoc(transition(n.writer, d, "submit").Want(http.StatusOK))

		// The assistant copy-edits in review.
		d = decodeDoc(n.assistant.Do("PATCH", "/api/v1/documents/"+d.ID,
			map[string]any{"fields": map[string]any{"summary": "China proposes joint dialogue and a 2+2 meeting with South Korea."}},
			"If-Match", fmt.Sprintf(`"%d"`, d.Version)).Want(http.StatusOK))
		if d.State != "in_review" || d.HeadRevision != 2 {
			t.Fatalf("after copy-edit: %+v", d)
		}

		// The editor credits and approves.
		credits := []map[string]string{
			{"role": "editor", "contributor": "yong-kwon"},
			{"role": "contributor", "contributor": "melissa-cho"},
			{"role": "contributor", "contributor": "alexandra-langford"},
		}
		r := n.editor.Do("PUT", "/api/v1/documents/"+d.ID+"/credits", credits, "If-Match", fmt.Sprintf(`"%d"`, d.Version)).Want(http.StatusOK)
		var got []map[string]string
		r.Decode(&got)
		if len(got) != 3 || got[0]["name"] != "Yong Kwon" {
			t.Fatalf("credits = %v", got)
		}
		d = decodeDoc(transition(n.editor, d, "approve", "note", "Good to go").Want(http.StatusOK))
		if d.State != "approved" {
			t.Fatalf("after approve: %+v", d)
		}
		d = decodeDoc(transition(n.publisher, d, "publish").Want(http.StatusOK))
		if d.State != "published" || d.LiveRevision == nil || *d.LiveRevision != d.HeadRevision {
			t.Fatalf("after publish: %+v", d)
		}
		const line = "Korea View was edited by Yong Kwon with the help of Melissa Cho and Alexandra Langford."
		if d.CreditLine != line {
			t.Errorf("credit line %q, want %q", d.CreditLine, line)
		}

		var events struct {
			Data []struct{ Action, From, To string }
		}
		n.writer.Do("GET", "/api/v1/documents/"+d.ID+"/events", nil).Want(http.StatusOK).Decode(&events)
		var actions []string
		for _, e := range events.Data {
			actions = append(actions, e.Action)
		}
		want := "[create submit edit credits approve publish]"
		if fmt.Sprint(actions) != want {
			t.Errorf("events = %v, want %s", actions, want)
		}
	})
}
