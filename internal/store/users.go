package store

import (
	"context"
	"time"

	"github.com/masthead-cms/masthead/internal/auth"
	"github.com/masthead-cms/masthead/internal/cms"
)

// CreateUser inserts a user; a taken email is a conflict.
func (db *DB) CreateUser(ctx context.Context, u auth.User, ev cms.AuditEvent) error {
	return db.InTx(ctx, func(tx *DB) error {
		if err := tx.q(ctx).Table("users").Create(&u).Error; err != nil {
			return wrap(err)
		}
		return tx.AddAudit(ctx, ev)
	})
}

// CreateFirstUser inserts u when there is no user yet, and reports
// whether it did. Instances that start together all try; the one
// transaction that finds the table empty under the start-up lock creates
// the user, the others find it there and create nothing.
func (db *DB) CreateFirstUser(ctx context.Context, u auth.User, ev cms.AuditEvent) (created bool, err error) {
	err = db.InTx(ctx, func(tx *DB) error {
		if err := tx.lockTx(ctx, "first-user"); err != nil {
			return err
		}
		n, err := tx.CountUsers(ctx)
		if err != nil || n > 0 {
			return err
		}
		if err := tx.q(ctx).Table("users").Create(&u).Error; err != nil {
			return wrap(err)
		}
		created = true
		return tx.AddAudit(ctx, ev)
	})
	return created, err
}

// FindUserByID returns one user.
func (db *DB) FindUserByID(ctx context.Context, id string) (auth.User, error) {
	var u auth.User
	err := db.q(ctx).Table("users").Where("id = ?", id).Take(&u).Error
	return u, notFound(err, "user")
}

// FindUserByEmail returns the user with this (lower-case) email.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (auth.User, error) {
	var u auth.User
	err := db.q(ctx).Table("users").Where("email = ?", email).Take(&u).Error
	return u, notFound(err, "user")
}

// FindUsers lists every user by name.
func (db *DB) FindUsers(ctx context.Context) ([]auth.User, error) {
	users := []auth.User{}
	err := db.q(ctx).Table("users").Order("name, email").Find(&users).Error
	return users, wrap(err)
}

// CountUsers counts every user, active or not.
func (db *DB) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := db.q(ctx).Table("users").Count(&n).Error
	return n, wrap(err)
}

// UpdateUser applies the non-nil fields of upd, ends the user's sessions
// and revokes their tokens when upd asks, and returns the result; all of
// it, and the audit event, in one transaction.
func (db *DB) UpdateUser(ctx context.Context, id string, upd auth.UserUpdate, ev cms.AuditEvent) (auth.User, error) {
	set := map[string]any{"updated_at": time.Now().UTC()}
	if upd.Name != nil {
		set["name"] = *upd.Name
	}
	if upd.Active != nil {
		set["active"] = *upd.Active
	}
	if upd.PasswordHash != nil {
		set["password_hash"] = *upd.PasswordHash
	}
	var u auth.User
	err := db.InTx(ctx, func(tx *DB) error {
		res := tx.q(ctx).Table("users").Where("id = ?", id).Updates(set)
		if res.Error != nil {
			return wrap(res.Error)
		}
		var err error
		if u, err = tx.FindUserByID(ctx, id); err != nil {
			return err
		}
		if err := tx.revokeCredentials(ctx, id, upd); err != nil {
			return err
		}
		return tx.AddAudit(ctx, ev)
	})
	return u, err
}

// revokeCredentials deletes the sessions and tokens of the user that upd
// asks to end.
func (db *DB) revokeCredentials(ctx context.Context, userID string, upd auth.UserUpdate) error {
	if upd.EndSessions {
		if err := db.DeleteUserSessions(ctx, userID); err != nil {
			return err
		}
	}
	if upd.RevokeTokens {
		return wrap(db.q(ctx).Exec("DELETE FROM api_tokens WHERE user_id = ?", userID).Error)
	}
	return nil
}
