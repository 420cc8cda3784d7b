package graph

import (
	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/graph/model"
	"github.com/yoanbernabeu/oopsie/internal/auth"
)

func authPayload(u *ent.User, t auth.Tokens, err error) (*model.AuthPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.AuthPayload{
		AccessToken:          t.AccessToken,
		AccessTokenExpiresAt: t.AccessExpiresAt,
		RefreshToken:         t.RefreshToken,
		User:                 u,
	}, nil
}

func succeeded(err error) (bool, error) { return err == nil, err }

// paginate checks the page size and fills in the default before listing.
func paginate[C any](first, last *int, list func(first, last *int) (C, error)) (C, error) {
	first, last, err := pageSize(first, last)
	if err != nil {
		var zero C
		return zero, err
	}
	return list(first, last)
}

// addIf runs add with the value of an optional filter input, when given.
func addIf(v *string, add func(string)) error {
	if v != nil {
		add(*v)
	}
	return nil
}
