package content_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
	"github.com/masthead-cms/masthead/internal/workflow"
	"github.com/masthead-cms/masthead/policies"
)

// testClock is a settable clock shared by goroutines.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// instance is one Masthead process as the scheduler sees it: its own
// store handle (its own connection pool), its own enforcer and service.
type instance struct {
	db  *store.DB
	svc *content.Service
}

// schedFixture is two instances on one database, sharing a clock, with a
// writer, an editor and a publisher on the "korea-view" series.
type schedFixture struct {
	ctx                       context.Context
	a, b                      instance
	clock                     *testClock
	writer, editor, publisher cms.Actor
}

func openInstance(t *testing.T, ctx context.Context, databaseURL, dataDir string, clock *testClock) instance {
	t.Helper()
	db, err := store.Open(ctx, store.Options{URL: databaseURL, DataDir: dataDir})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	en, err := authz.New(ctx, db, policies.Model, policies.Default, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("authz: %v", err)
	}
	svc := content.NewService(db, en, content.Deps{})
	svc.SetClock(clock.Now)
	return instance{db: db, svc: svc}
}

// runScheduler runs body on every backend with two instances on one
// database: the same SQLite file, or the same PostgreSQL schema.
func runScheduler(t *testing.T, body func(t *testing.T, f *schedFixture)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			databaseURL, dataDir := b.URL(t)
			clock := &testClock{now: time.Now().UTC().Truncate(time.Second)}
			f := &schedFixture{ctx: ctx, clock: clock}
			f.a = openInstance(t, ctx, databaseURL, dataDir, clock)

			users, err := auth.NewService(f.a.db, auth.Config{PasswordParams: auth.FastPasswordParams})
			if err != nil {
				t.Fatal(err)
			}
			en, err := authz.New(ctx, f.a.db, policies.Model, policies.Default, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			actor := func(email, role string) cms.Actor {
				u, err := users.CreateUser(ctx, cms.System, auth.NewUser{Email: email, Name: email, Password: "password-" + email})
				if err != nil {
					t.Fatalf("create user: %v", err)
				}
				if err := en.Assign(ctx, cms.System, authz.Assignment{UserID: u.ID, Role: role, Series: "korea-view"}); err != nil {
					t.Fatalf("assign: %v", err)
				}
				return cms.Actor{UserID: u.ID, Email: email, Name: email, Via: "session"}
			}
			name, kind := "Korea View", "newsletter"
			if _, err := f.a.svc.CreateSeries(ctx, cms.System, content.SeriesInput{Slug: "korea-view", Name: &name, Kind: &kind}); err != nil {
				t.Fatalf("series: %v", err)
			}
			f.writer = actor("writer@example.org", "author")
			f.editor = actor("editor@example.org", "editor")
			f.publisher = actor("publisher@example.org", "publisher")
			// Instance A was built before the roles existed; rebuild it, and
			// build B, so both enforcers load them.
			f.a = openInstance(t, ctx, databaseURL, dataDir, clock)
			f.b = openInstance(t, ctx, databaseURL, dataDir, clock)
			body(t, f)
		})
	}
}

// approved creates a complete briefing and takes it to approved.
func (f *schedFixture) approved(t *testing.T, title string) content.Document {
	t.Helper()
	svc := f.a.svc
	d, err := svc.CreateDocument(f.ctx, f.writer, content.NewDocument{
		Type: "briefing", Series: "korea-view", Title: title,
		Fields: map[string]any{"summary": "Summary.", "what_happened": []any{"It happened."}, "implications": "It matters."},
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	for _, step := range []struct {
		actor  cms.Actor
		action string
	}{{f.writer, "submit"}, {f.editor, "approve"}} {
		if d, err = svc.Transition(f.ctx, step.actor, d.ID, content.TransitionRequest{Action: step.action}, nil); err != nil {
			t.Fatalf("%s: %v", step.action, err)
		}
	}
	return d
}

// scheduled creates an approved briefing and schedules it at at.
func (f *schedFixture) scheduled(t *testing.T, title string, at time.Time) content.Document {
	t.Helper()
	d := f.approved(t, title)
	d, err := f.a.svc.Transition(f.ctx, f.publisher, d.ID, content.TransitionRequest{Action: "schedule", At: &cms.Time{Time: at}}, nil)
	if err != nil {
		t.Fatalf("schedule: %v", err)
	}
	if d.State != workflow.Scheduled || d.ScheduledFor == nil || !d.ScheduledFor.Equal(at) {
		t.Fatalf("scheduled: %+v", d)
	}
	return d
}

// raceBoth runs PublishDue on both instances at once and returns how many
// each published.
func (f *schedFixture) raceBoth(t *testing.T) (int, int) {
	t.Helper()
	var counts [2]int
	var errs [2]error
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, inst := range []instance{f.a, f.b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			counts[i], errs[i] = inst.svc.PublishDue(f.ctx)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("PublishDue on instance %d: %v", i, err)
		}
	}
	return counts[0], counts[1]
}

// clockEvents counts the clock events of a document, and checks them.
func (f *schedFixture) clockEvents(t *testing.T, id string) int {
	t.Helper()
	evs, err := f.b.db.FindEvents(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Action == "clock" {
			n++
			if e.From != workflow.Scheduled || e.To != workflow.Published || e.ActorID != cms.System.UserID {
				t.Errorf("clock event %+v", e)
			}
		}
	}
	return n
}

// wantPublishedOnce checks that the scheduler published d exactly once,
// making its approved revision live.
func (f *schedFixture) wantPublishedOnce(t *testing.T, d content.Document) {
	t.Helper()
	got, err := f.b.db.FindDocument(f.ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != workflow.Published || got.LiveRevision == nil || d.ApprovedRevision == nil ||
		*got.LiveRevision != *d.ApprovedRevision || got.ScheduledFor != nil || got.LastPublishedAt == nil {
		t.Errorf("%q after the scheduler: state %s live %v approved %v scheduled_for %v", d.Title, got.State,
			got.LiveRevision, d.ApprovedRevision, got.ScheduledFor)
	}
	if got.Version != d.Version+1 {
		t.Errorf("%q: version %d → %d, want one write", d.Title, d.Version, got.Version)
	}
	if n := f.clockEvents(t, d.ID); n != 1 {
		t.Errorf("%q has %d clock events, want exactly one", d.Title, n)
	}
}

func (f *schedFixture) wantState(t *testing.T, d content.Document, state workflow.State) {
	t.Helper()
	got, err := f.b.db.FindDocument(f.ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != state || got.LiveRevision != nil || got.Version != d.Version {
		t.Errorf("%q: state %s live %v version %d, want %s untouched at version %d", d.Title, got.State, got.LiveRevision,
			got.Version, state, d.Version)
	}
	if n := f.clockEvents(t, d.ID); n != 0 {
		t.Errorf("%q has %d clock events, want none", d.Title, n)
	}
}

func TestSchedulerPublishesOnceAcrossInstances(t *testing.T) {
	t.Parallel()
	runScheduler(t, func(t *testing.T, f *schedFixture) {
		t0 := f.clock.Now()
		d := f.scheduled(t, "Due in a second", t0.Add(time.Second))

		// Before its time, neither instance publishes it.
		if a, b := f.raceBoth(t); a+b != 0 {
			t.Fatalf("published %d+%d before the time", a, b)
		}
		f.wantState(t, d, workflow.Scheduled)

		f.clock.Set(t0.Add(time.Second))
		a, b := f.raceBoth(t)
		t.Logf("instance A published %d, instance B %d", a, b)
		if a+b != 1 {
			t.Errorf("published %d+%d times, want once", a, b)
		}
		f.wantPublishedOnce(t, d)

		// Later runs find nothing to do.
		f.clock.Set(t0.Add(time.Minute))
		if a, b := f.raceBoth(t); a+b != 0 {
			t.Errorf("published again: %d+%d", a, b)
		}
		f.wantPublishedOnce(t, d)
	})
}

func TestSchedulerManyDueDocumentsRaced(t *testing.T) {
	t.Parallel()
	runScheduler(t, func(t *testing.T, f *schedFixture) {
		t0 := f.clock.Now()
		var due []content.Document
		for i := range 6 {
			due = append(due, f.scheduled(t, fmt.Sprintf("Due %d", i), t0.Add(time.Duration(i+1)*time.Second)))
		}
		f.clock.Set(t0.Add(10 * time.Second))
		for round := range 5 {
			a, b := f.raceBoth(t)
			t.Logf("round %d: instance A published %d, instance B %d", round, a, b)
			if round == 0 && a+b != len(due) {
				t.Errorf("published %d+%d, want %d in all", a, b, len(due))
			}
			if round > 0 && a+b != 0 {
				t.Errorf("round %d published %d+%d again", round, a, b)
			}
		}
		for _, d := range due {
			f.wantPublishedOnce(t, d)
		}
	})
}

func TestSchedulerIgnoresWhatIsNotDue(t *testing.T) {
	t.Parallel()
	runScheduler(t, func(t *testing.T, f *schedFixture) {
		t0 := f.clock.Now()
		later := f.scheduled(t, "Due in an hour", t0.Add(time.Hour))
		subSecond := f.scheduled(t, "Due in 1.5 seconds", t0.Add(1500*time.Millisecond))
		exact := f.scheduled(t, "Due in 2 seconds", t0.Add(2*time.Second))
		approved := f.approved(t, "Approved, not scheduled")
		draft, err := f.a.svc.CreateDocument(f.ctx, f.writer, content.NewDocument{Type: "briefing", Series: "korea-view", Title: "A draft"})
		if err != nil {
			t.Fatal(err)
		}
		unscheduled := f.scheduled(t, "Scheduled, then unscheduled", t0.Add(time.Second))
		if unscheduled, err = f.a.svc.Transition(f.ctx, f.publisher, unscheduled.ID, content.TransitionRequest{Action: "unschedule"}, nil); err != nil {
			t.Fatal(err)
		}

		f.clock.Set(t0.Add(1400 * time.Millisecond))
		if a, b := f.raceBoth(t); a+b != 0 {
			t.Errorf("at +1.4s published %d+%d, want none", a, b)
		}
		f.wantState(t, subSecond, workflow.Scheduled)

		f.clock.Set(t0.Add(1600 * time.Millisecond))
		if a, b := f.raceBoth(t); a+b != 1 {
			t.Errorf("at +1.6s published %d+%d, want the one due at +1.5s", a, b)
		}
		f.wantPublishedOnce(t, subSecond)
		f.wantState(t, exact, workflow.Scheduled)

		// Due at exactly its time.
		f.clock.Set(t0.Add(2 * time.Second))
		if a, b := f.raceBoth(t); a+b != 1 {
			t.Errorf("at +2s published %d+%d, want the one due at +2s", a, b)
		}
		f.wantPublishedOnce(t, exact)

		f.clock.Set(t0.Add(time.Minute))
		if a, b := f.raceBoth(t); a+b != 0 {
			t.Errorf("at +1m published %d+%d, want none", a, b)
		}
		f.wantState(t, later, workflow.Scheduled)
		f.wantState(t, approved, workflow.Approved)
		f.wantState(t, draft, workflow.Draft)
		f.wantState(t, unscheduled, workflow.Approved)

		f.clock.Set(t0.Add(2 * time.Hour))
		if a, b := f.raceBoth(t); a+b != 1 {
			t.Errorf("at +2h published %d+%d, want the one due in an hour", a, b)
		}
		f.wantPublishedOnce(t, later)
		f.wantState(t, approved, workflow.Approved)
	})
}

// TestScheduleAtMostFiveYearsAhead: a date decades out is refused with a
// validation error naming `at` and leaves the document approved; the last
// moment of the bound is accepted.
func TestScheduleAtMostFiveYearsAhead(t *testing.T) {
	t.Parallel()
	runScheduler(t, func(t *testing.T, f *schedFixture) {
		d := f.approved(t, "Far ahead")
		limit := f.clock.Now().AddDate(content.MaxScheduleYears, 0, 0)
		for _, at := range []time.Time{limit.Add(time.Second), f.clock.Now().AddDate(36, 0, 0)} {
			_, err := f.a.svc.Transition(f.ctx, f.publisher, d.ID, content.TransitionRequest{Action: "schedule", At: &cms.Time{Time: at}}, nil)
			var e *cms.Error
			if !errors.As(err, &e) || e.Code != cms.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "at" {
				t.Errorf("schedule at %s: %v, want invalid at", at, err)
			}
		}
		f.wantState(t, d, workflow.Approved)
		f.scheduled(t, "At the bound", limit)
	})
}
