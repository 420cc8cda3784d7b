package feedback

import (
	"errors"

	"github.com/yoanbernabeu/oopsie/ent/predicate"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/search"
)

// searchPredicate is the full-text filter of a typed search, nil when the
// search looks for nothing (blank).
func searchPredicate(s string) (predicate.Feedback, error) {
	q, err := search.Parse(s)
	if err != nil {
		if _, ok := errors.AsType[*apperr.Error](err); ok {
			return nil, err
		}
		return nil, &apperr.Error{Kind: apperr.Invalid, Message: "search: cannot be understood",
			Fields: map[string]string{"search": "cannot be understood"}, Err: err}
	}
	if q.Empty() {
		return nil, nil
	}
	return search.Feedback(q), nil
}
