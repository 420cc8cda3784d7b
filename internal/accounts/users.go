package accounts

import (
	"context"
	"fmt"
	"slices"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/refreshtoken"
	"github.com/yoanbernabeu/oopsie/ent/user"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/auth"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// CreateUserInput is a new user. Every user is an admin in V1.
type CreateUserInput struct {
	Email    string
	Password string
	Name     *string
}

// UpdateUserInput holds the fields to change; nil fields are left alone.
type UpdateUserInput struct {
	Email    *string
	Password *string
	Name     *string
}

// CreateUser adds a user. The viewer in ctx must be an admin.
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput) (*ent.User, error) {
	p := problems{}
	email := p.email(in.Email)
	p.password(in.Password)
	var name string
	if in.Name != nil {
		name = p.name(*in.Name)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	u, err := s.db(ctx).User.Create().SetEmail(email).SetName(name).SetPasswordHash(hash).Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, errEmailTaken(err)
	}
	if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// UpdateUser changes a user. The viewer in ctx must be an admin. A new
// password ends the user's sessions: whoever may have learnt the old one
// must not stay signed in. (Access tokens already issued run out within
// their short lifetime.)
func (s *Service) UpdateUser(ctx context.Context, id string, in UpdateUserInput) (*ent.User, error) {
	p := problems{}
	var email, name string
	if in.Email != nil {
		email = p.email(*in.Email)
	}
	if in.Password != nil {
		p.password(*in.Password)
	}
	if in.Name != nil {
		name = p.name(*in.Name)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	var hash string
	if in.Password != nil {
		var err error
		if hash, err = auth.HashPassword(*in.Password); err != nil {
			return nil, fmt.Errorf("update user: %w", err)
		}
	}

	var u *ent.User
	err := s.inTx(ctx, func(ctx context.Context, c *ent.Client) error {
		update := c.User.UpdateOneID(id)
		if in.Email != nil {
			update.SetEmail(email)
		}
		if in.Name != nil {
			update.SetName(name)
		}
		if in.Password != nil {
			update.SetPasswordHash(hash)
		}
		var err error
		u, err = update.Save(ctx)
		switch {
		case ent.IsNotFound(err):
			return errUserNotFound()
		case ent.IsConstraintError(err):
			return errEmailTaken(err)
		case err != nil:
			return err
		}
		if in.Password != nil {
			err := c.RefreshToken.Update().
				Where(refreshtoken.UserID(id), refreshtoken.RevokedAtIsNil()).
				SetRevokedAt(s.now()).
				Exec(ctx)
			if err != nil {
				return fmt.Errorf("end sessions: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("update user: %w", err)
	}
	return u, nil
}

// DeleteUser deletes a user, oneself included, but never the last one: the
// instance would be left with nobody able to sign in.
//
// Counting and deleting happen in one transaction with the user rows
// locked, so two admins deleting each other at once on PostgreSQL cannot
// both see "two users left". (SQLite transactions here take the write lock
// at BEGIN, which already serialises them; it has no FOR UPDATE.)
func (s *Service) DeleteUser(ctx context.Context, id string) error {
	err := s.inTx(ctx, func(ctx context.Context, c *ent.Client) error {
		ids, err := c.User.Query().
			Order(ent.Asc(user.FieldID)). // one lock order for everyone
			Select(user.FieldID).
			Modify(func(s *sql.Selector) {
				if s.Dialect() != dialect.SQLite {
					s.ForUpdate()
				}
			}).
			Strings(ctx)
		if err != nil {
			return fmt.Errorf("lock users: %w", err)
		}
		switch {
		case !slices.Contains(ids, id):
			return errUserNotFound()
		case len(ids) == 1:
			return apperr.New(apperr.Conflict, "the last user cannot be deleted")
		}
		err = c.User.DeleteOneID(id).Exec(ctx)
		if ent.IsNotFound(err) {
			return errUserNotFound()
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return nil
}

// Viewer returns the signed-in user, or nil when the caller is not a user
// (an API token, or nobody).
func (s *Service) Viewer(ctx context.Context) (*ent.User, error) {
	v := viewer.FromContext(ctx)
	if v.Kind != viewer.User {
		return nil, nil
	}
	u, err := s.db(ctx).User.Get(ctx, v.UserID)
	if err != nil {
		return nil, fmt.Errorf("viewer: %w", err)
	}
	return u, nil
}
