package store

import (
	"context"
	"slices"
	"strings"

	"github.com/masthead-cms/masthead/internal/authz"
	"github.com/masthead-cms/masthead/internal/cms"
)

// casbinRule is a row of casbin_rule, Casbin's conventional table layout.
type casbinRule struct {
	ID                     int64
	Ptype                  string
	V0, V1, V2, V3, V4, V5 string
}

func (casbinRule) TableName() string { return "casbin_rule" }

func toRow(r authz.Rule) casbinRule {
	var v [6]string
	copy(v[:], r.V)
	return casbinRule{Ptype: r.PType, V0: v[0], V1: v[1], V2: v[2], V3: v[3], V4: v[4], V5: v[5]}
}

func (c casbinRule) rule() authz.Rule {
	v := []string{c.V0, c.V1, c.V2, c.V3, c.V4, c.V5}
	for len(v) > 0 && v[len(v)-1] == "" {
		v = v[:len(v)-1]
	}
	return authz.Rule{PType: c.Ptype, V: v}
}

func (c casbinRule) key() string {
	return strings.Join([]string{c.Ptype, c.V0, c.V1, c.V2, c.V3, c.V4, c.V5}, ",")
}

// LoadRules returns every rule and the policy version they belong to, read
// in one transaction so the two agree.
func (db *DB) LoadRules(ctx context.Context) ([]authz.Rule, int64, error) {
	var rows []casbinRule
	var version int64
	err := db.InTx(ctx, func(tx *DB) error {
		if err := tx.q(ctx).Order("id").Find(&rows).Error; err != nil {
			return wrap(err)
		}
		var err error
		version, err = tx.PolicyVersion(ctx)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	rules := make([]authz.Rule, 0, len(rows))
	for _, r := range rows {
		rules = append(rules, r.rule())
	}
	return rules, version, nil
}

// PolicyVersion returns the counter every rule change bumps.
func (db *DB) PolicyVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.q(ctx).Raw("SELECT version FROM policy_version WHERE id = 1").Scan(&v).Error
	return v, wrap(err)
}

func (db *DB) bumpPolicyVersion(ctx context.Context) error {
	return wrap(db.q(ctx).Exec("UPDATE policy_version SET version = version + 1 WHERE id = 1").Error)
}

// policyRows are the rules that come from policies/policy.csv: permissions,
// and role-to-role links (whose subject is a role name, never a user id).
func (db *DB) policyRows(ctx context.Context) ([]casbinRule, error) {
	var rows []casbinRule
	err := db.q(ctx).Where("ptype = 'p' OR (ptype = 'g' AND v0 IN ?)", authz.RoleNames()).Order("id").Find(&rows).Error
	return rows, wrap(err)
}

// ReplacePermissions makes the stored default policy equal to rules. User
// role assignments are left alone. It is a no-op when nothing changed, so
// every start can call it.
func (db *DB) ReplacePermissions(ctx context.Context, rules []authz.Rule) error {
	want := make([]casbinRule, len(rules))
	for i, r := range rules {
		want[i] = toRow(r)
	}
	return db.InTx(ctx, func(tx *DB) error {
		// Every instance seeds the policy as it starts: one at a time,
		// the later ones find it in place.
		if err := tx.lockTx(ctx, "policy"); err != nil {
			return err
		}
		have, err := tx.policyRows(ctx)
		if err != nil {
			return err
		}
		if slices.Equal(keys(have), keys(want)) {
			return nil
		}
		if len(have) > 0 {
			ids := make([]int64, len(have))
			for i, r := range have {
				ids[i] = r.ID
			}
			if err := tx.q(ctx).Where("id IN ?", ids).Delete(&casbinRule{}).Error; err != nil {
				return wrap(err)
			}
		}
		if len(want) > 0 {
			if err := tx.q(ctx).Create(&want).Error; err != nil {
				return wrap(err)
			}
		}
		return tx.bumpPolicyVersion(ctx)
	})
}

func keys(rows []casbinRule) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.key()
	}
	slices.Sort(out)
	return out
}

// AddRule stores one rule with its audit event and bumps the policy
// version; adding a rule that exists is a conflict.
func (db *DB) AddRule(ctx context.Context, r authz.Rule, ev cms.AuditEvent) error {
	row := toRow(r)
	return db.InTx(ctx, func(tx *DB) error {
		if err := tx.q(ctx).Create(&row).Error; err != nil {
			if cms.IsCode(wrap(err), cms.CodeConflict) {
				return cms.Errorf(cms.CodeConflict, "this assignment already exists")
			}
			return wrap(err)
		}
		return tx.afterRuleChange(ctx, ev)
	})
}

// RemoveRule deletes one rule with its audit event.
func (db *DB) RemoveRule(ctx context.Context, r authz.Rule, ev cms.AuditEvent) error {
	row := toRow(r)
	return db.InTx(ctx, func(tx *DB) error {
		res := tx.q(ctx).Where("ptype = ? AND v0 = ? AND v1 = ? AND v2 = ? AND v3 = ? AND v4 = ? AND v5 = ?",
			row.Ptype, row.V0, row.V1, row.V2, row.V3, row.V4, row.V5).Delete(&casbinRule{})
		if res.Error != nil {
			return wrap(res.Error)
		}
		if res.RowsAffected == 0 {
			return cms.NotFound("assignment")
		}
		return tx.afterRuleChange(ctx, ev)
	})
}

func (db *DB) afterRuleChange(ctx context.Context, ev cms.AuditEvent) error {
	if err := db.bumpPolicyVersion(ctx); err != nil {
		return err
	}
	return db.AddAudit(ctx, ev)
}
