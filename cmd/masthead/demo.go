package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"time"

	"github.com/masthead-cms/masthead/internal/app"
	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
	"github.com/masthead-cms/masthead/internal/content"
	"github.com/masthead-cms/masthead/internal/media"
)

// runDemo loads a living newsroom into an empty database: the example's
// series, contributors and briefing (published, with its credits), one
// person per role, and drafts in every stage of the workflow. Everything
// goes through the same services as the UI and the API, as the people
// named here, so the history panels tell a true story.
func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	password := fs.String("password", "", "password for every demo account (default: a random one each, printed)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *password != "" && len(*password) < 10 {
		return usageError{errors.New("demo: --password must be at least 10 characters")}
	}
	o, err := open(ctx, getenv, stderr, withApp, nil)
	if err != nil {
		return err
	}
	defer o.db.Close()
	a, cfg := o.app, o.cfg
	if existing, err := a.Content.AllSeries(ctx); err != nil {
		return err
	} else if len(existing) > 0 {
		return fmt.Errorf("demo: the database already has content (%d series); the demo loads into an empty one only — "+
			"point MASTHEAD_DATA_DIR (or MASTHEAD_DATABASE_URL) at a new database", len(existing))
	}
	if err := a.EnsureAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword); err != nil {
		return err
	}
	d := demo{ctx: ctx, a: a, password: *password}
	if err := d.load(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(stdout, "Loaded the demo newsroom: the series The Peninsula and Korea View, %d documents.\n\n", d.documents)
	fmt.Fprintf(stdout, "Sign in at %s/admin with one of these accounts:\n\n", cfg.BaseURL.String())
	for _, p := range d.people {
		fmt.Fprintf(stdout, "  %-10s %-28s password: %s\n", p.role, p.email, p.password)
	}
	fmt.Fprintf(stdout, "\nThe admin is %s (its password was set by MASTHEAD_ADMIN_PASSWORD or printed once when it was created).\n", cfg.AdminEmail)
	fmt.Fprintf(stdout, "Then run: masthead serve   (or: go run ./cmd/masthead)\n")
	return nil
}

type demoPerson struct {
	role, email, name, password, series string
	actor                               cms.Actor
}

type demo struct {
	ctx       context.Context
	a         *app.App
	password  string
	people    []*demoPerson
	documents int
}

const koreaViewAbout = "This briefing comes from Korea View, a weekly newsletter published by the Korea Economic Institute. " +
	"Korea View aims to cover developments that reveal trends on the Korean Peninsula but receive little attention in the United States. " +
	"If you would like to sign up, please find the online form [here](/korea-view#subscribe)."

// Who does what in the demo's story; indexes into demo.people.
const (
	demoWriter = iota
	demoAssistant
	demoEditor
	demoPublisher
)

// demoStep is one thing a person does to a document: a workflow action,
// "credit" (the example's credits) or "comment".
type demoStep struct {
	who          int
	action, note string
	at           *time.Time
}

// story is every demo document and what happens to it, in order.
func story(hero string) []struct {
	in    content.NewDocument
	steps []demoStep
} {
	at := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Hour)
	return []struct {
		in    content.NewDocument
		steps []demoStep
	}{
		{exampleBriefing(hero), []demoStep{{who: demoWriter, action: "submit"}, {who: demoEditor, action: "credit"},
			{who: demoEditor, action: "approve", note: "Clean and well sourced."}, {who: demoPublisher, action: "publish"}}},
		{briefingDraft("Seoul Weighs Its Role in Supply Chain Talks",
			"South Korea is weighing how far to join US-led talks on semiconductor supply chains.", false), nil},
		{briefingDraft("Trade Figures Show an Uneven Recovery",
			"South Korean exports rose for a fifth month, led by chips and cars.", true),
			[]demoStep{{who: demoWriter, action: "submit"}, {who: demoEditor, action: "request_changes",
				note: "Please add last year's figures for comparison and a source for the chip numbers."}}},
		{briefingDraft("North Korea Tests a New Cruise Missile",
			"Pyongyang announced a test of a long-range cruise missile over the weekend.", true),
			[]demoStep{{who: demoWriter, action: "submit"}, {who: demoAssistant, action: "comment",
				note: "Can we give the date of the test? Readers will want it."}}},
		{briefingDraft("Japan and South Korea Resume Shuttle Diplomacy",
			"Leaders of Japan and South Korea agreed to resume regular visits.", true),
			[]demoStep{{who: demoWriter, action: "submit"}, {who: demoEditor, action: "approve"}}},
		{briefingDraft("What to Watch at the US-ROK Summit",
			"The summit will test how far Seoul aligns with Washington on China.", true),
			[]demoStep{{who: demoWriter, action: "submit"}, {who: demoEditor, action: "approve"},
				{who: demoPublisher, action: "schedule", at: &at}}},
	}
}

func (d *demo) load() error {
	if err := d.catalog(); err != nil {
		return err
	}
	hero, err := d.heroImage()
	if err != nil {
		return err
	}
	for i, doc := range story(hero) {
		id, err := d.document(d.people[demoWriter].actor, doc.in)
		if err != nil {
			return err
		}
		for _, st := range doc.steps {
			if err := d.step(id, st); err != nil {
				return fmt.Errorf("%q: %s: %w", doc.in.Title, st.action, err)
			}
		}
		if i == 0 {
			// The example briefing was published on April 14, 2021, and
			// says so wherever it is shown.
			if _, err := d.a.Content.Backdate(d.ctx, cms.System, id, exampleDate, exampleDate); err != nil {
				return fmt.Errorf("%q: %w", doc.in.Title, err)
			}
		}
	}
	return nil
}

func (d *demo) step(id string, st demoStep) error {
	who := d.people[st.who].actor
	switch st.action {
	case "credit":
		return d.credit(who, id)
	case "comment":
		_, err := d.a.Content.AddComment(d.ctx, who, id, content.NewComment{Field: "summary", Body: st.note})
		return err
	}
	return d.move(who, id, st.action, st.note, st.at)
}

// catalog creates the series, the contributors and the people.
func (d *demo) catalog() error {
	ctx, c := d.ctx, d.a.Content
	str := func(s string) *string { return &s }
	if _, err := c.CreateSeries(ctx, cms.System, content.SeriesInput{Slug: "the-peninsula", Name: str("The Peninsula"), Kind: str("blog"),
		Description: str("The Korea Economic Institute's blog on the Korean Peninsula.")}); err != nil {
		return err
	}
	if _, err := c.CreateSeries(ctx, cms.System, content.SeriesInput{Slug: "korea-view", Name: str("Korea View"), Kind: str("newsletter"),
		Description: str("A weekly newsletter on developments on the Korean Peninsula."), About: str(koreaViewAbout),
		Parent: str("the-peninsula")}); err != nil {
		return err
	}
	for _, name := range []string{"Yong Kwon", "Melissa Cho", "Alexandra Langford"} {
		if _, err := c.CreateContributor(ctx, cms.System, content.ContributorInput{Name: str(name)}); err != nil {
			return err
		}
	}
	d.people = []*demoPerson{
		{role: "writer", email: "writer@masthead.example", name: "Wendy Writer", series: "korea-view"},
		{role: "assistant", email: "assistant@masthead.example", name: "Andy Assistant", series: "korea-view"},
		{role: "editor", email: "editor@masthead.example", name: "Erin Editor", series: "the-peninsula"},
		{role: "publisher", email: "publisher@masthead.example", name: "Pat Publisher", series: "the-peninsula"},
	}
	roles := map[string]string{"writer": "author", "assistant": "assistant", "editor": "editor", "publisher": "publisher"}
	for _, p := range d.people {
		p.password = d.password
		if p.password == "" {
			p.password = cms.RandomToken(8)
		}
		u, err := d.a.Auth.CreateUser(ctx, cms.System, auth.NewUser{Email: p.email, Name: p.name, Password: p.password})
		if err != nil {
			return err
		}
		if err := d.a.Authz.Assign(ctx, cms.System, authz.Assignment{UserID: u.ID, Role: roles[p.role], Series: p.series}); err != nil {
			return err
		}
		p.actor = cms.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, Via: "session"}
	}
	return nil
}

func (d *demo) document(owner cms.Actor, in content.NewDocument) (string, error) {
	doc, err := d.a.Content.CreateDocument(d.ctx, owner, in)
	if err != nil {
		return "", fmt.Errorf("%q: %w", in.Title, err)
	}
	d.documents++
	return doc.ID, nil
}

func (d *demo) move(who cms.Actor, id, action, note string, at *time.Time) error {
	req := content.TransitionRequest{Action: action, Note: note}
	if at != nil {
		req.At = &cms.Time{Time: *at}
	}
	_, err := d.a.Content.Transition(d.ctx, who, id, req, nil)
	return err
}

func (d *demo) credit(editor cms.Actor, id string) error {
	doc, err := d.a.Content.Document(d.ctx, editor, id)
	if err != nil {
		return err
	}
	_, err = d.a.Content.SetCredits(d.ctx, editor, id, doc.Version, []content.CreditInput{
		{Role: "editor", Contributor: "yong-kwon"}, {Role: "contributor", Contributor: "melissa-cho"},
		{Role: "contributor", Contributor: "alexandra-langford"},
	})
	return err
}

// heroImage uploads a stand-in for the example's photo (a generated
// gradient: the demo ships no third-party image) with the example's
// attribution, as the assistant.
func (d *demo) heroImage() (string, error) {
	img := image.NewRGBA(image.Rect(0, 0, 1200, 630))
	for y := 0; y < 630; y++ {
		for x := 0; x < 1200; x++ {
			img.Set(x, y, color.RGBA{R: uint8(20 + x/12), G: uint8(40 + y/6), B: uint8(120 + y/8), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	str := func(s string) *string { return &s }
	a, err := d.a.Media.Upload(d.ctx, d.people[demoAssistant].actor, "foreign-ministers.png", &buf, media.Metadata{
		Alt:     str("The foreign ministers of China and South Korea before their talks (a generated stand-in image)"),
		Caption: str("China and South Korea's foreign ministers met in April."),
		Credit:  str("Creative Commons image from Flickr account of Republic of Korea"),
		Licence: str("CC-BY-SA-2.0"),
	}, media.UploadOptions{})
	return a.ID, err
}

// exampleDate is when the example briefing was published.
var exampleDate = time.Date(2021, time.April, 14, 14, 0, 0, 0, time.UTC)

// exampleBriefing is shared/examples/korea-view-2021-04-14.txt.
func exampleBriefing(hero string) content.NewDocument {
	return content.NewDocument{
		Type: "briefing", Series: "korea-view", Title: "Beijing Calibrates Its Approach to Seoul", Hero: &hero,
		Topics: []string{"China", "South Korea", "diplomacy"},
		Fields: map[string]any{
			"summary": "China raised joint dialogue between the two Koreas and a future 2+2 meeting with Seoul.",
			"what_happened": []any{
				"During recent talks, the Chinese FM raised the idea of joint dialogue to reach a political resolution between North and South Korea.",
				"China also voiced support for South Korea’s goals of peace and denuclearization of the Korean Peninsula.",
				"The two foreign ministers discussed holding a future 2+2 meeting with diplomatic and security officials from both sides.",
			},
			"implications": "China’s engagement with South Korea seems more focused on calibrating Beijing’s position vis-à-vis Washington than addressing tangible challenges shared with Seoul. " +
				"Its recent meetings with South Korean officials to discuss regional issues closely mirrored a similar arrangement between Seoul and Washington in March. " +
				"During the US-ROK meetings, both countries discussed cooperation on North Korean issues and peace on the Korean Peninsula. " +
				"Afterward, the two countries launched working-level dialogues to deal with security issues. " +
				"Mirroring these discussions, South Korea’s meetings with China in April also focused on denuclearization and peace on the Korean Peninsula. " +
				"Moreover, the foreign ministers discussed holding a trilateral summit with Beijing, Seoul, and Tokyo to further discuss cooperation on the North Korea challenge. " +
				"Given the close timeframe and markedly similar topics discussed with Washington and Beijing, some foreign affairs observers believe this will be an ongoing strategy that China employs to respond to the Biden administration’s efforts to foster closer relations with South Korea.",
			"context": "China’s move to establish regular meetings with South Korea follows Seoul’s continued closeness with members of the Quadrilateral Security Dialogue, or QUAD, which consists of the US, Japan, India, and Australia. " +
				"In the past month, South Korea met separately with the United States and India to discuss defense issues. " +
				"South Korea and Japan, despite ongoing tensions, have also expressed renewed interest in trilateral cooperation with the United States to advance peace on the Korean Peninsula. " +
				"Additionally, officials in Seoul have said they will cooperate with the QUAD on an ad hoc basis despite not formally joining the group. " +
				"China has expressed concern over South Korea joining the QUAD in the past, with the Chinese FM saying it would be a significant breach of trust between the two nations.",
		},
	}
}

// briefingDraft is a short briefing; complete ones can be submitted.
func briefingDraft(title, summary string, complete bool) content.NewDocument {
	in := content.NewDocument{Type: "briefing", Series: "korea-view", Title: title, Topics: []string{"South Korea"},
		Fields: map[string]any{"summary": summary, "what_happened": []any{summary}}}
	if complete {
		in.Fields["implications"] = "The development matters for the alliance and for regional stability; details to follow."
	}
	return in
}
