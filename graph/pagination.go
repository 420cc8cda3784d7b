package graph

import (
	"github.com/yoanbernabeu/oopsie/internal/apperr"
)

const (
	// defaultPageSize applies when a connection is asked for without first
	// or last: entgql would otherwise return every row.
	defaultPageSize = 20
	// maxPageSize bounds one page.
	maxPageSize = 100
)

// pageSize checks first/last and fills in the default page size.
func pageSize(first, last *int) (*int, *int, error) {
	for name, v := range map[string]*int{"first": first, "last": last} {
		if v != nil && (*v < 0 || *v > maxPageSize) {
			return nil, nil, apperr.InvalidField(name, "must be between 0 and 100")
		}
	}
	if first == nil && last == nil {
		n := defaultPageSize
		first = &n
	}
	return first, last, nil
}
