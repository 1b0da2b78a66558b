package store

// SetRankWindow changes how many of the newest matches are ranked by
// relevance, for tests with small corpora, and returns the undo.
func SetRankWindow(n int) func() {
	old := rankWindow
	rankWindow = n
	return func() { rankWindow = old }
}

// WithoutShortcuts runs fn with phrases matched on positions only
// (PostgreSQL) and long prefixes left to FTS5 (SQLite).
func WithoutShortcuts(fn func()) {
	usePairs, expandPrefixes = false, false
	defer func() { usePairs, expandPrefixes = true, true }()
	fn()
}

// PorterStable is porterStable, for tests.
var PorterStable = porterStable

// SetImportBatch makes import statements take at most rows rows, for
// tests of imports larger than one, and returns the undo.
func SetImportBatch(rows int) func() {
	old := importBatchRows
	importBatchRows = rows
	return func() { importBatchRows = old }
}
