package content_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/store"
	"github.com/masthead-cms/masthead/internal/store/storetest"
	"github.com/masthead-cms/masthead/internal/workflow"
	"github.com/masthead-cms/masthead/policies"
)

// The helper process of TestPublishTogetherKilledMidway reads these.
const (
	killHelperEnv = "MASTHEAD_KILL_HELPER"
	killURLEnv    = "MASTHEAD_KILL_URL"
	killDirEnv    = "MASTHEAD_KILL_DIR"
	killIDsEnv    = "MASTHEAD_KILL_IDS"
)

// TestMain runs this test binary as the process that is killed when the
// kill test starts it so; otherwise it runs the tests.
func TestMain(m *testing.M) {
	if os.Getenv(killHelperEnv) != "" {
		if err := publishAndWaitToBeKilled(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1) // killed processes do not get here
	}
	os.Exit(storetest.Main(m))
}

// TestPublishTogetherKilledMidway kills -9 a process in the middle of a
// release's transaction — every document updated, with its hooks, and
// the commit not yet made — and finds nothing published.
func TestPublishTogetherKilledMidway(t *testing.T) {
	runScheduler(t, func(t *testing.T, f *schedFixture) {
		docs, ids := f.fiveApproved(t)
		url, dir := f.a.url, f.a.dir
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), killHelperEnv+"=1", killURLEnv+"="+url, killDirEnv+"="+dir, killIDsEnv+"="+strings.Join(ids, ","))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		inside := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if sc.Text() == "inside the transaction" {
					inside <- true
					return
				}
			}
			inside <- false
		}()
		select {
		case ok := <-inside:
			if !ok {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatal("the helper ended before it was inside the transaction")
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("the helper never got inside the transaction")
		}
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		cmd.Wait()
		// PostgreSQL rolls back when it notices the connection is gone.
		deadline := time.Now().Add(10 * time.Second)
		for {
			ok := true
			for _, d := range docs {
				got, err := f.b.db.FindDocument(f.ctx, d.ID)
				if err != nil || got.Version != d.Version {
					ok = false
				}
			}
			if ok || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		f.wantUntouched(t, docs)
		// And the documents are free: a publish after the crash works.
		if _, err := f.b.svc.PublishTogether(f.ctx, cms.System, ids, workflow.Publish, "after the crash", nil); err != nil {
			t.Fatalf("publish after the crash: %v", err)
		}
	})
}

// publishAndWaitToBeKilled is the process that is killed: it publishes
// the documents together and, inside the transaction, says so and waits
// to be killed.
func publishAndWaitToBeKilled() error {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{URL: os.Getenv(killURLEnv), DataDir: os.Getenv(killDirEnv)})
	if err != nil {
		return err
	}
	en, err := authz.New(ctx, db, policies.Model, policies.Default, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	svc := content.NewService(db, en, content.Deps{})
	ids := strings.Split(os.Getenv(killIDsEnv), ",")
	_, err = svc.PublishTogether(ctx, cms.System, ids, workflow.Publish, "killed", func(context.Context, content.Store, []content.Document) error {
		os.Stdout.WriteString("inside the transaction\n")
		time.Sleep(time.Minute)
		return nil
	})
	return fmt.Errorf("not killed: %v", err)
}
