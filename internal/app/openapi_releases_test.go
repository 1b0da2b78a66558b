package app_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/app/apptest"
)

// checkReleaseCalls plays the releases API through the contract: create
// (with an item that blocks), read with readiness, add and remove items,
// a refused and a successful publish, schedule, unschedule and delete.
func checkReleaseCalls(t *testing.T, env *apptest.Env, k *contract) {
	t.Helper()
	writer := env.CreateUser("release-writer@example.org", "author:korea-view")
	editor := env.CreateUser("release-editor@example.org", "editor:korea-view")
	publisher := env.CreateUser("release-publisher@example.org", "publisher:korea-view")
	type item struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	doc := func(title string, approve bool) item {
		var d item
		k.do(writer, "POST", "/api/v1/documents", map[string]any{"type": "briefing", "series": "korea-view", "title": title,
			"fields": map[string]any{"summary": "S.", "what_happened": []string{"W."}, "implications": "I."}}, http.StatusCreated).Decode(&d)
		if approve {
			k.do(writer, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "submit"}, http.StatusOK)
			k.do(editor, "POST", "/api/v1/documents/"+d.ID+"/transitions", map[string]any{"action": "approve"}, http.StatusOK)
		}
		return d
	}
	a, b, draft := doc("Release piece A", true), doc("Release piece B", true), doc("Release draft", false)
	var r item
	k.do(publisher, "POST", "/api/v1/releases", map[string]any{"name": "Launch", "documents": []string{a.ID, draft.ID}}, http.StatusCreated).Decode(&r)
	k.do(publisher, "POST", "/api/v1/releases", map[string]any{"name": ""}, http.StatusBadRequest)
	k.do(editor, "POST", "/api/v1/releases", map[string]any{"name": "Mine", "documents": []string{a.ID}}, http.StatusForbidden)
	path := "/api/v1/releases/" + r.ID
	k.do(publisher, "GET", "/api/v1/releases", nil, http.StatusOK)
	k.do(publisher, "GET", path, nil, http.StatusOK)
	k.do(publisher, "GET", "/api/v1/releases/nope", nil, http.StatusNotFound)
	k.do(publisher, "POST", path+"/publish", nil, http.StatusConflict)
	k.do(publisher, "POST", path+"/items", map[string]any{"document": b.ID}, http.StatusPreconditionRequired)
	k.do(publisher, "POST", path+"/items", map[string]any{"document": b.ID}, http.StatusPreconditionFailed, "If-Match", `"9"`)
	k.do(publisher, "POST", path+"/items", map[string]any{"document": b.ID}, http.StatusOK, "If-Match", `"1"`)
	k.do(publisher, "POST", path+"/items", map[string]any{"document": b.ID}, http.StatusBadRequest, "If-Match", `"2"`)
	k.do(publisher, "DELETE", path+"/items/"+draft.ID, nil, http.StatusOK, "If-Match", `"2"`)
	k.do(publisher, "DELETE", path+"/items/"+draft.ID, nil, http.StatusNotFound, "If-Match", `"3"`)
	at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	k.do(publisher, "POST", path+"/schedule", map[string]any{"at": "2001-01-01T00:00:00Z"}, http.StatusBadRequest)
	k.do(publisher, "POST", path+"/schedule", map[string]any{"at": at}, http.StatusOK)
	k.do(publisher, "POST", path+"/unschedule", nil, http.StatusOK)
	k.do(publisher, "POST", path+"/unschedule", nil, http.StatusConflict)
	k.do(publisher, "POST", path+"/publish", nil, http.StatusOK)
	k.do(publisher, "DELETE", path, nil, http.StatusConflict, "If-Match", `"6"`)
	var other item
	k.do(publisher, "POST", "/api/v1/releases", map[string]any{"name": "Empty"}, http.StatusCreated).Decode(&other)
	k.do(publisher, "DELETE", "/api/v1/releases/"+other.ID, nil, http.StatusPreconditionRequired)
	k.do(publisher, "DELETE", "/api/v1/releases/"+other.ID, nil, http.StatusNoContent, "If-Match", `"1"`)
}
