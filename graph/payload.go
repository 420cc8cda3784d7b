package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

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
func paginate[C any](ctx context.Context, first, last *int, list func(ctx context.Context, first, last *int) (C, error)) (C, error) {
	first, last, err := pageSize(first, last)
	if err != nil {
		var zero C
		return zero, err
	}
	return list(pageInfoWithoutCount(ctx), first, last)
}

// pageInfoWithoutCount lets a page answer pageInfo from the rows it reads
// (entgql reads one more than asked for) rather than by counting every
// matching row, which entgql does whenever pageInfo is selected: at a
// million rows the count costs a hundred times the page. The count is still
// made for totalCount, and for pageInfo when no edges are read.
func pageInfoWithoutCount(ctx context.Context) context.Context {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return ctx
	}
	var edges, total bool
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, nil) {
		switch f.Name {
		case "edges":
			edges = true
		case "totalCount":
			total = true
		}
	}
	if !edges || total {
		return ctx
	}
	selections := make(ast.SelectionSet, 0, len(fc.Field.Selections))
	for _, s := range fc.Field.Selections {
		if f, ok := s.(*ast.Field); ok && f.Name == "pageInfo" {
			continue
		}
		selections = append(selections, s)
	}
	clone := *fc
	clone.Field.Selections = selections
	return graphql.WithFieldContext(ctx, &clone)
}

// addIf runs add with the value of an optional filter input, when given.
func addIf(v *string, add func(string)) error {
	if v != nil {
		add(*v)
	}
	return nil
}
