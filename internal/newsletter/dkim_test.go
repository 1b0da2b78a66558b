package newsletter_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"regexp"
	"strings"
	"testing"

	"github.com/masthead-cms/masthead/internal/app/apptest"
	"github.com/masthead-cms/masthead/internal/newsletter"
)

// TestDKIMSignsTheListHeaders: with a key, an edition arrives signed for
// the domain, over its List-Unsubscribe headers and its body, and a
// receiver's check fails once either is changed in transit.
func TestDKIMSignsTheListHeaders(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	for _, bad := range []struct{ domain, selector, key string }{
		{"masthead.test", "mail", "not a key"}, {"", "mail", string(keyPEM)}, {"masthead.test", "", string(keyPEM)},
	} {
		if _, err := newsletter.NewDKIM(bad.domain, bad.selector, []byte(bad.key)); err == nil {
			t.Errorf("NewDKIM(%q, %q, %.10q) accepted", bad.domain, bad.selector, bad.key)
		}
	}
	d, err := newsletter.NewDKIM("masthead.test", "mail2026", keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	box := apptest.StartMailbox(t)
	smtp, err := newsletter.NewSMTP(box.URL, "Masthead <news@masthead.test>", d)
	if err != nil {
		t.Fatal(err)
	}
	link := "https://masthead.test/delivery/v1/subscribers/unsubscribe?token=abc.def"
	m := newsletter.Mail{To: "reader@example.org", Subject: "Beijing Calibrates", Body: "Text  part.\n\n", HTML: "<p>HTML part.</p>",
		FromName: "Korea View", FromAddress: "korea-view@masthead.test", ReplyTo: "editors@masthead.test",
		ListUnsubscribe: link, ListID: "korea-view", ListName: "Korea View"}
	if err := smtp.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	raw := box.All()[0].Data
	tags, err := verifyDKIM(raw, pub)
	if err != nil {
		t.Fatalf("signature does not verify: %v\n%s", err, raw)
	}
	if tags["d"] != "masthead.test" || tags["s"] != "mail2026" || tags["a"] != "ed25519-sha256" {
		t.Errorf("tags %v", tags)
	}
	signed := strings.ToLower(tags["h"])
	for _, h := range []string{"from", "subject", "list-unsubscribe", "list-unsubscribe-post", "list-id", "reply-to"} {
		if !strings.Contains(":"+signed+":", ":"+h+":") {
			t.Errorf("h=%s does not cover %s", tags["h"], h)
		}
	}
	for name, tampered := range map[string]string{
		"List-Unsubscribe": strings.Replace(raw, "token=abc.def", "token=abc.xyz", 1),
		"body":             strings.Replace(raw, "HTML part.", "HTML parts", 1),
		"a second List-Unsubscribe-Post": strings.Replace(raw, "List-Unsubscribe-Post:",
			"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nList-Unsubscribe-Post:", 1),
	} {
		if tampered == raw {
			t.Fatalf("%s: nothing to tamper with", name)
		}
		if _, err := verifyDKIM(tampered, pub); err == nil {
			t.Errorf("a message with a changed %s still verifies", name)
		}
	}
}

// The test installs' DKIM key (editionEnv).
var sitePublicKey, sitePrivateKey, _ = ed25519.GenerateKey(rand.Reader)

func siteDKIM(t *testing.T) *newsletter.DKIM {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(sitePrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	d, err := newsletter.NewDKIM("masthead.test", "site", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var wspRE = regexp.MustCompile(`[ \t]+`)

// verifyDKIM checks an ed25519-sha256 DKIM signature, with simple or
// relaxed header canonicalization and relaxed body canonicalization, as a
// receiver does (RFC 6376 §3.4, §5; RFC 8463), and returns its tags.
func verifyDKIM(raw string, pub ed25519.PublicKey) (map[string]string, error) {
	raw = strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\n", "\r\n")
	head, body, _ := strings.Cut(raw, "\r\n\r\n")
	var fields []string // each header field, with its folded lines
	for _, line := range strings.Split(head, "\r\n") {
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && len(fields) > 0 {
			fields[len(fields)-1] += "\r\n" + line
		} else {
			fields = append(fields, line)
		}
	}
	name := func(f string) string { n, _, _ := strings.Cut(f, ":"); return strings.ToLower(strings.TrimSpace(n)) }
	relaxed := func(f string) string {
		n, v, _ := strings.Cut(f, ":")
		v = wspRE.ReplaceAllString(strings.ReplaceAll(v, "\r\n", ""), " ")
		return strings.ToLower(strings.TrimSpace(n)) + ":" + strings.TrimSpace(v)
	}
	sig := ""
	for _, f := range fields {
		if name(f) == "dkim-signature" {
			sig = f
			break
		}
	}
	if sig == "" {
		return nil, errorString("no DKIM-Signature")
	}
	tags := map[string]string{}
	_, value, _ := strings.Cut(sig, ":")
	for _, tag := range strings.Split(value, ";") {
		k, v, _ := strings.Cut(tag, "=")
		tags[strings.TrimSpace(k)] = strings.Join(strings.Fields(v), "")
	}
	canon := func(f string) string { return f }
	if headerCanon, bodyCanon, _ := strings.Cut(tags["c"], "/"); bodyCanon != "relaxed" {
		return tags, errorString("body canonicalization " + bodyCanon + " not checked here")
	} else if headerCanon == "relaxed" {
		canon = relaxed
	}

	// The body hash.
	lines := strings.Split(body, "\r\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(wspRE.ReplaceAllString(l, " "), " ")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	cb := strings.Join(lines, "\r\n")
	if cb != "" {
		cb += "\r\n"
	}
	bh := sha256.Sum256([]byte(cb))
	if base64.StdEncoding.EncodeToString(bh[:]) != tags["bh"] {
		return tags, errorString("body hash mismatch")
	}

	// The signed headers, each the last one not yet used, bottom up.
	used := map[int]bool{}
	var in strings.Builder
	for _, h := range strings.Split(tags["h"], ":") {
		for i := len(fields) - 1; i >= 0; i-- {
			if !used[i] && name(fields[i]) == strings.ToLower(h) {
				used[i] = true
				in.WriteString(canon(fields[i]) + "\r\n")
				break
			}
		}
	}
	in.WriteString(regexp.MustCompile(`(:|;)(\s*b\s*=)[^;]*`).ReplaceAllString(canon(sig), "$1$2"))
	signature, err := base64.StdEncoding.DecodeString(tags["b"])
	if err != nil {
		return tags, err
	}
	hash := sha256.Sum256([]byte(in.String()))
	if !ed25519.Verify(pub, hash[:], signature) {
		return tags, errorString("signature mismatch")
	}
	return tags, nil
}

type errorString string

func (e errorString) Error() string { return string(e) }
