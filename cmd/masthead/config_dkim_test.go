package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// DKIM is all three settings or none; the key must read.
func TestConfigDKIM(t *testing.T) {
	t.Parallel()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyFile, junk := filepath.Join(dir, "dkim.pem"), filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(junk, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := env{"MASTHEAD_DATA_DIR": t.TempDir()}
	cfg, err := loadConfig(base.getenv)
	if err != nil || cfg.DKIM != nil {
		t.Fatalf("no DKIM settings: %v, %v; want none", cfg.DKIM, err)
	}
	all := base.with("MASTHEAD_DKIM_DOMAIN", "example.org", "MASTHEAD_DKIM_SELECTOR", "mail", "MASTHEAD_DKIM_KEY_FILE", keyFile)
	if cfg, err = loadConfig(all.getenv); err != nil || cfg.DKIM == nil {
		t.Fatalf("all three: %v, %v; want a signer", cfg.DKIM, err)
	}
	for _, c := range []struct {
		e    env
		name string
	}{
		{all.with("MASTHEAD_DKIM_DOMAIN", ""), "MASTHEAD_DKIM_DOMAIN"},
		{all.with("MASTHEAD_DKIM_SELECTOR", ""), "MASTHEAD_DKIM_SELECTOR"},
		{all.with("MASTHEAD_DKIM_KEY_FILE", ""), "MASTHEAD_DKIM_KEY_FILE"},
		{all.with("MASTHEAD_DKIM_KEY_FILE", junk), "MASTHEAD_DKIM_KEY_FILE"},
		{all.with("MASTHEAD_DKIM_KEY_FILE", filepath.Join(dir, "missing.pem")), "MASTHEAD_DKIM_KEY_FILE"},
	} {
		if _, err := loadConfig(c.e.getenv); err == nil || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%v: %v, want an error naming %s", c.e, err, c.name)
		}
	}
}
