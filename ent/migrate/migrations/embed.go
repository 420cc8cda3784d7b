// Package migrations embeds the versioned SQL migrations, one directory per
// dialect, generated from ent/schema by `make migrate-diff name=…`.
package migrations

import "embed"

// FS holds postgres/ and sqlite/, each with its atlas.sum.
//
//go:embed postgres sqlite
var FS embed.FS
