package store

// SetRankWindow changes how many of the newest matches are ranked by
// relevance, for tests with small corpora, and returns the undo.
func SetRankWindow(n int) func() {
	old := rankWindow
	rankWindow = n
	return func() { rankWindow = old }
}
