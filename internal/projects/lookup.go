package projects

import (
	"context"
	"fmt"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/project"
	"github.com/yoanbernabeu/oopsie/ent/publickey"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
)

// Find returns the project with the id or the slug (exactly one of them),
// or nil when there is none.
func (s *Service) Find(ctx context.Context, id, slug *string) (*ent.Project, error) {
	q := s.db(ctx).Project.Query()
	switch {
	case id != nil && slug == nil:
		q = q.Where(project.ID(*id))
	case slug != nil && id == nil:
		q = q.Where(project.Slug(*slug))
	default:
		return nil, apperr.New(apperr.Invalid, "give either id or slug")
	}
	p, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find project: %w", err)
	}
	return p, nil
}

// ProjectSnippet is the integration snippet of p with its newest active key.
func (s *Service) ProjectSnippet(ctx context.Context, p *ent.Project, kind SnippetKind, serverURL string) (string, error) {
	key, err := s.db(ctx).PublicKey.Query().
		Where(publickey.ProjectID(p.ID), publickey.RevokedAtIsNil()).
		Order(ent.Desc(publickey.FieldCreatedAt), ent.Desc(publickey.FieldID)).
		First(ctx)
	if ent.IsNotFound(err) {
		return "", apperr.New(apperr.Conflict, "the project has no active public key; create one first")
	}
	if err != nil {
		return "", fmt.Errorf("snippet key: %w", err)
	}
	return Snippet(kind, serverURL, key.Key), nil
}
