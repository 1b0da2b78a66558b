package newsletter

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
)

// The privacy use cases: a list leaves Masthead only as a CSV export to
// those who run it, an address is erased on request and kept only as a
// hash so that it is never mailed again, and a list is imported without
// ever overwriting what a reader chose. Masthead tracks no opens or
// clicks: editions carry no tracking pixel and no redirected links.

// PrivacyStore is what export, erasure and import need.
type PrivacyStore interface {
	// FindSubscribersAfter pages through subscriptions by id, of one
	// series (by id) or of every one ("").
	FindSubscribersAfter(ctx context.Context, seriesID, afterID string, limit int) ([]Subscriber, error)
	// EraseAddress removes an address from every list, from the outbox
	// and from the recipient rows (which keep its hash), suppresses its
	// hash and appends ev, in one transaction.
	EraseAddress(ctx context.Context, email string, ev cms.AuditEvent) error
	// ImportSubscribers inserts the subscriptions that are new and whose
	// address is not suppressed, in one transaction, leaving every
	// existing one as it is; it returns one outcome per subscription
	// (ImportAdded, ImportExists or ImportSuppressed) and appends the
	// audit event audit makes of them.
	ImportSubscribers(ctx context.Context, subs []Subscriber, audit func(outcomes []string) cms.AuditEvent) ([]string, error)
}

// Import outcomes.
const (
	ImportAdded      = "added"
	ImportExists     = "exists"
	ImportSuppressed = "suppressed"
)

// MaxImportRows is the most rows one import may carry.
const MaxImportRows = 10000

// exportColumns are the export's header.
var exportColumns = []string{"email", "series", "status", "consent_basis", "consent_at", "created_at", "confirmed_at", "unsubscribed_at"}

// lists authorizes work on a series' list (its publishers and admins),
// or on every list ("", admins).
func (e *Editions) lists(ctx context.Context, actor cms.Actor, slug string) (content.Series, error) {
	if slug == "" {
		return content.Series{}, e.authz.Can(actor, "manage", authz.Subscribers)
	}
	return e.series(ctx, actor, slug)
}

// ExportSubscribers writes a series' list (or every list, for admins) to
// w as CSV, oldest subscription first. A cell that a spreadsheet would
// run as a formula is prefixed with an apostrophe (see safeCell).
func (e *Editions) ExportSubscribers(ctx context.Context, actor cms.Actor, slug string, w io.Writer) error {
	sr, err := e.lists(ctx, actor, slug)
	if err != nil {
		return err
	}
	out := csv.NewWriter(w)
	if err := out.Write(exportColumns); err != nil {
		return fmt.Errorf("newsletter: export: %w", err)
	}
	for after := ""; ; {
		page, err := e.store.FindSubscribersAfter(ctx, sr.ID, after, 500)
		if err != nil {
			return err
		}
		for _, s := range page {
			if err := out.Write(exportRow(s)); err != nil {
				return fmt.Errorf("newsletter: export: %w", err)
			}
		}
		out.Flush()
		if len(page) < 500 {
			return out.Error()
		}
		after = page[len(page)-1].ID
	}
}

func exportRow(s Subscriber) []string {
	row := []string{s.Email, s.Series, s.Status, s.ConsentBasis, csvTime(s.ConsentAt), csvTime(&s.CreatedAt),
		csvTime(s.ConfirmedAt), csvTime(s.UnsubscribedAt)}
	for i := range row {
		row[i] = safeCell(row[i])
	}
	return row
}

func csvTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// safeCell defuses CSV injection: a spreadsheet runs a cell that starts
// with = + - @ (or a tab or carriage return before one) as a formula, so
// such a cell gets a leading apostrophe, which shows it as text (OWASP's
// advice). An address may start with "-" or "+", and a consent basis with
// anything an importer typed.
func safeCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// Subscriber returns one subscription, for those who may erase it: the
// admins, who manage every list.
func (e *Editions) Subscriber(ctx context.Context, actor cms.Actor, id string) (Subscriber, error) {
	if err := e.authz.Can(actor, "manage", authz.Subscribers); err != nil {
		return Subscriber{}, err
	}
	return e.store.FindSubscriberByID(ctx, id)
}

// EraseSubscriber erases a subscription's address everywhere, on a
// reader's request: every list it is on, its mail in the outbox, and the
// address in the recipient rows of past sends (which keep the hash, so
// their counts stay true). Only the hash is kept, in the suppression list,
// so that no list mails it again even if it is imported or signs up
// later; the audit names the subscription and the hash, not the address.
// Erasure reaches every list, so only admins may (the route says so).
func (e *Editions) EraseSubscriber(ctx context.Context, actor cms.Actor, id string) error {
	sub, err := e.store.FindSubscriberByID(ctx, id)
	if err != nil {
		return err
	}
	ev := cms.AuditEvent{ActorID: actor.UserID, Action: "subscriber.erased", ObjectType: "subscriber", ObjectID: sub.ID,
		Detail: map[string]any{"address_hash": AddressHash(sub.Email), "series": sub.Series}}
	return e.store.EraseAddress(ctx, sub.Email, ev)
}

// ImportRequest is a list to import into a series.
type ImportRequest struct {
	Series string
	// Basis is the consent record every imported address gets, such as
	// "imported consent from list X".
	Basis string
	// CSV has a header row with an email column; other columns are
	// ignored.
	CSV io.Reader
	// Pending imports the addresses as pending, not confirmed: they get
	// no edition until their reader confirms (members moved from another
	// platform, whose consent Masthead did not see).
	Pending bool
}

// ImportRow is one row an import did not add, and why.
type ImportRow struct {
	Row    int    `json:"row"` // the record's number in the file, the header being 1
	Result string `json:"result"`
	Reason string `json:"reason"`
}

// ImportReport is what an import did.
type ImportReport struct {
	Added   int         `json:"added"`
	Skipped int         `json:"skipped"`
	Refused int         `json:"refused"`
	Rows    []ImportRow `json:"rows"`
}

// ImportSubscribers adds the new addresses of a CSV to a series' list as
// confirmed (or pending, when the request says so), with the request's consent basis. It never overwrites an
// existing subscription (its status and consent record stay as they are:
// a reader who unsubscribed stays unsubscribed) and refuses a suppressed
// address, a bad one and an empty cell. A file that cannot be read as a
// whole — no basis, no email column, broken CSV, too many rows — is 400
// and adds nothing.
func (e *Editions) ImportSubscribers(ctx context.Context, actor cms.Actor, req ImportRequest) (ImportReport, error) {
	basis := strings.TrimSpace(req.Basis)
	if basis == "" || len(basis) > 500 || strings.ContainsAny(basis, "\r\n") {
		return ImportReport{}, cms.Invalid("basis", "is required: one line of at most 500 characters saying on what basis these addresses consented")
	}
	if req.Series == "" {
		return ImportReport{}, cms.Invalid("series", "is required")
	}
	sr, err := e.series(ctx, actor, req.Series)
	if err != nil {
		return ImportReport{}, err
	}
	if sr.Kind != listKind {
		return ImportReport{}, cms.Invalid("series", "has no mailing list: only newsletter series take subscribers")
	}
	emails, err := readImport(req.CSV)
	if err != nil {
		return ImportReport{}, err
	}
	status := Confirmed
	if req.Pending {
		status = Pending
	}
	return e.importRows(ctx, actor, sr, basis, status, emails)
}

// importRows checks each address, then has the store add the good ones.
func (e *Editions) importRows(ctx context.Context, actor cms.Actor, sr content.Series, basis, status string, emails []string) (ImportReport, error) {
	var rep ImportReport
	now := e.now()
	seen := map[string]bool{}
	var subs []Subscriber
	var rows []int
	for i, raw := range emails {
		row := i + 2
		email, err := checkEmail(raw)
		switch {
		case strings.TrimSpace(raw) == "":
			rep.refuse(row, "no address")
		case err != nil:
			rep.refuse(row, "not an address Masthead mails: "+strings.TrimPrefix(err.Error(), "email: "))
		case seen[email]:
			rep.skip(row, "the address is in the file more than once")
		default:
			seen[email] = true
			sub := Subscriber{ID: cms.NewID(), Email: email, SeriesID: sr.ID, Status: status, CreatedAt: now,
				UpdatedAt: now, ConsentBasis: basis, ConsentAt: &now}
			if status == Confirmed {
				sub.ConfirmedAt = &now
			}
			subs = append(subs, sub)
			rows = append(rows, row)
		}
	}
	audit := func(outcomes []string) cms.AuditEvent {
		added := 0
		for _, o := range outcomes {
			if o == ImportAdded {
				added++
			}
		}
		return cms.AuditEvent{ActorID: actor.UserID, Action: "subscribers.imported", ObjectType: "series", ObjectID: sr.ID,
			Detail: map[string]any{"basis": basis, "rows": len(emails), "added": added}}
	}
	outcomes, err := e.store.ImportSubscribers(ctx, subs, audit)
	if err != nil {
		return ImportReport{}, err
	}
	for i, o := range outcomes {
		switch o {
		case ImportAdded:
			rep.Added++
		case ImportExists:
			rep.skip(rows[i], "already on the list; its status and consent record are kept")
		default:
			rep.refuse(rows[i], "the address is suppressed (it bounced, complained or was erased) and is never mailed")
		}
	}
	slices.SortFunc(rep.Rows, func(a, b ImportRow) int { return a.Row - b.Row })
	return rep, nil
}

func (r *ImportReport) skip(row int, reason string) {
	r.Skipped++
	r.Rows = append(r.Rows, ImportRow{Row: row, Result: "skipped", Reason: reason})
}

func (r *ImportReport) refuse(row int, reason string) {
	r.Refused++
	r.Rows = append(r.Rows, ImportRow{Row: row, Result: "refused", Reason: reason})
}

// readImport reads the email column of a CSV with a header row.
func readImport(in io.Reader) ([]string, error) {
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, cms.Invalid("file", "is empty: it needs a header row with an email column")
	} else if err != nil {
		return nil, cms.Invalid("file", "is not CSV: "+err.Error())
	}
	col := -1
	for i, h := range header {
		if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), "email") {
			col = i
		}
	}
	if col < 0 {
		return nil, cms.Invalid("file", "needs a header row with an email column")
	}
	var emails []string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return emails, nil
		}
		if err != nil {
			return nil, cms.Invalid("file", "is not CSV: "+err.Error())
		}
		if len(emails) == MaxImportRows {
			return nil, cms.Invalid("file", fmt.Sprintf("has more than %d rows; split it", MaxImportRows))
		}
		cell := ""
		if col < len(rec) {
			cell = rec[col]
		}
		emails = append(emails, cell)
	}
}
