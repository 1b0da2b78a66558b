// Package authz is the only importer of Casbin. It holds the one enforcer,
// loaded from the model and policy in policies/ and the role assignments
// in the database, and answers Can(actor, action, object). Handlers declare
// the permission a route needs; domain packages ask about objects (owner,
// state, series) through the same enforcer. It imports only cms.
package authz

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/masthead-cms/masthead/internal/cms"
)

// Rule is one row of the policy: "p" (a permission) or "g" (a role link).
type Rule struct {
	PType string
	V     []string
}

// RuleStore persists rules. Every change bumps a policy version, so that
// every instance sharing the database knows to reload.
type RuleStore interface {
	LoadRules(ctx context.Context) (rules []Rule, version int64, err error)
	PolicyVersion(ctx context.Context) (int64, error)
	// ReplacePermissions makes the stored "p" rules and role-to-role "g"
	// rules equal to rules, bumping the version only if they changed.
	ReplacePermissions(ctx context.Context, rules []Rule) error
	AddRule(ctx context.Context, r Rule, ev cms.AuditEvent) error
	RemoveRule(ctx context.Context, r Rule, ev cms.AuditEvent) error
}

// Enforcer decides who may do what. It is safe for concurrent use.
type Enforcer struct {
	store RuleStore
	log   *slog.Logger

	mu      sync.Mutex // serialises reloads
	e       *casbin.SyncedCachedEnforcer
	version int64
}

// New builds the enforcer from the model and default policy texts, writes
// the default permissions to the store and loads everything from it.
func New(ctx context.Context, store RuleStore, modelText, policyText string, log *slog.Logger) (*Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("authz: model: %w", err)
	}
	e, err := casbin.NewSyncedCachedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("authz: enforcer: %w", err)
	}
	e.AddFunction("oneOf", oneOf)
	e.AddFunction("among", among)
	e.AddNamedDomainMatchingFunc("g", "seriesPath", seriesPathMatch)
	e.EnableAutoSave(false)
	e.SetExpireTime(time.Minute)
	rules, err := parsePolicy(policyText)
	if err != nil {
		return nil, err
	}
	if err := store.ReplacePermissions(ctx, rules); err != nil {
		return nil, fmt.Errorf("authz: seed policy: %w", err)
	}
	en := &Enforcer{store: store, log: log, e: e, version: -1}
	if err := en.Reload(ctx); err != nil {
		return nil, err
	}
	return en, nil
}

// parsePolicy reads Casbin's CSV policy format: "p, a, b" / "g, a, b, c",
// with # comments.
func parsePolicy(text string) ([]Rule, error) {
	var rules []Rule
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, ",")
		for j := range parts {
			parts[j] = strings.TrimSpace(parts[j])
		}
		if (parts[0] != "p" && parts[0] != "g") || len(parts) < 3 {
			return nil, fmt.Errorf("authz: policy line %d: %q", i+1, line)
		}
		rules = append(rules, Rule{PType: parts[0], V: parts[1:]})
	}
	return rules, nil
}

// Reload replaces the in-memory policy with the stored one.
func (en *Enforcer) Reload(ctx context.Context) error {
	en.mu.Lock()
	defer en.mu.Unlock()
	rules, version, err := en.store.LoadRules(ctx)
	if err != nil {
		return fmt.Errorf("authz: load rules: %w", err)
	}
	en.e.ClearPolicy()
	for _, r := range rules {
		var err error
		if r.PType == "p" {
			_, err = en.e.AddPolicy(toAny(r.V)...)
		} else {
			_, err = en.e.AddGroupingPolicy(toAny(r.V)...)
		}
		if err != nil {
			return fmt.Errorf("authz: load rule %v: %w", r, err)
		}
	}
	if err := en.e.BuildRoleLinks(); err != nil {
		return fmt.Errorf("authz: role links: %w", err)
	}
	_ = en.e.InvalidateCache()
	en.version = version
	return nil
}

// Refresh reloads when another instance (or another enforcer on this
// database) changed the policy since the last load.
func (en *Enforcer) Refresh(ctx context.Context) error {
	v, err := en.store.PolicyVersion(ctx)
	if err != nil {
		return fmt.Errorf("authz: policy version: %w", err)
	}
	en.mu.Lock()
	stale := v != en.version
	en.mu.Unlock()
	if !stale {
		return nil
	}
	return en.Reload(ctx)
}

// Watch calls Refresh every interval until ctx ends, so that role changes
// made on another instance take effect here within one interval.
func (en *Enforcer) Watch(ctx context.Context, interval time.Duration) {
	cms.Every(ctx, interval, func(ctx context.Context) {
		if err := en.Refresh(ctx); err != nil && ctx.Err() == nil {
			en.log.Warn("policy refresh failed", "err", err)
		}
	})
}

func toAny(v []string) []any {
	out := make([]any, len(v))
	for i, s := range v {
		out[i] = s
	}
	return out
}

// oneOf is the model's state condition: "*" matches every state, "a|b"
// matches a or b.
func oneOf(args ...any) (any, error) {
	if len(args) != 2 {
		return false, fmt.Errorf("oneOf: want 2 arguments, got %d", len(args))
	}
	state, _ := args[0].(string)
	states, _ := args[1].(string)
	if states == "*" {
		return true, nil
	}
	for _, s := range strings.Split(states, "|") {
		if s == state {
			return true, nil
		}
	}
	return false, nil
}

// among is the model's fresh-eyes condition: whether user is one of the
// "a|b" list of users (an empty list has no one).
func among(args ...any) (any, error) {
	if len(args) != 2 {
		return false, fmt.Errorf("among: want 2 arguments, got %d", len(args))
	}
	user, _ := args[0].(string)
	list, _ := args[1].(string)
	return list != "" && slices.Contains(strings.Split(list, "|"), user), nil
}

// seriesPathMatch decides whether a role held in domain pattern applies to
// a request in domain path. A role on "*" applies everywhere; a role on a
// series applies to requests about that series and, since a request names
// the series as "parent/child", about its children.
func seriesPathMatch(path, pattern string) bool {
	if pattern == AllSeries {
		return true
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == pattern {
			return true
		}
	}
	return false
}
