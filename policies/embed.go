// Package policies embeds Masthead's Casbin model and default policy. The
// policy is data: package authz loads it into the database and the
// enforcer; nothing else reads these files.
package policies

import _ "embed"

// Model is the Casbin model (policies/model.conf).
//
//go:embed model.conf
var Model string

// Default is the default policy (policies/policy.csv).
//
//go:embed policy.csv
var Default string
