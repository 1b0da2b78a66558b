package search_test

import (
	"os"
	"testing"

	"github.com/masthead-cms/masthead/internal/store/storetest"
)

// TestMain runs storetest.Parallel tests at a time: they wait on their
// databases more than on the cores.
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
