package auth

import (
	"fmt"

	"github.com/alexedwards/argon2id"

	"github.com/masthead-cms/masthead/internal/cms"
)

// DefaultPasswordParams follow RFC 9106's second recommendation (64 MiB,
// 3 passes), with two lanes for the two cores a small server has.
var DefaultPasswordParams = argon2id.Params{
	Memory:      64 * 1024,
	Iterations:  3,
	Parallelism: 2,
	SaltLength:  16,
	KeyLength:   32,
}

// FastPasswordParams are for tests only: they keep argon2id but make each
// hash cheap, so that suites creating hundreds of users stay quick.
var FastPasswordParams = argon2id.Params{
	Memory:      1024,
	Iterations:  1,
	Parallelism: 1,
	SaltLength:  16,
	KeyLength:   32,
}

// minPasswordLength is the shortest password we accept (NIST SP 800-63B
// asks for at least 8).
const minPasswordLength = 10

// HashPassword returns the argon2id hash of password in PHC format.
func (s *Service) HashPassword(password string) (string, error) {
	if len(password) < minPasswordLength {
		return "", cms.Invalid("password", fmt.Sprintf("must be at least %d characters", minPasswordLength))
	}
	if len(password) > 1024 {
		return "", cms.Invalid("password", "must be at most 1024 characters")
	}
	params := s.cfg.PasswordParams
	h, err := argon2id.CreateHash(password, &params)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return h, nil
}

// checkPassword reports whether password matches hash. Hashes made with
// other parameters still verify: the parameters are part of the hash.
func checkPassword(password, hash string) bool {
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}
