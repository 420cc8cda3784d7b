// Package pulid makes the type-prefixed ULIDs that every Oopsie entity uses as
// its primary key ("rep_01jd…"). The prefix tells a reader, a log line and a
// Relay node(id:) lookup which table an id belongs to; the ULID keeps ids
// roughly time-ordered, so b-tree inserts stay append-mostly.
package pulid

import (
	"strings"

	"github.com/oklog/ulid/v2"
)

// New returns a fresh id with the given prefix, such as New("rep").
func New(prefix string) string {
	return prefix + "_" + strings.ToLower(ulid.Make().String())
}

// Prefix returns the type prefix of an id, or "" when it has none.
func Prefix(id string) string {
	p, _, ok := strings.Cut(id, "_")
	if !ok {
		return ""
	}
	return p
}
