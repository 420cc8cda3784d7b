package accounts

import (
	"context"
	"fmt"

	"github.com/yoanbernabeu/oopsie/ent"
	entsettings "github.com/yoanbernabeu/oopsie/ent/settings"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/auth"
	"github.com/yoanbernabeu/oopsie/internal/settings"
)

const defaultInstanceName = "Oopsie"

// SetupStatus tells the dashboard whether to show the setup wizard.
type SetupStatus struct {
	NeedsSetup   bool
	InstanceName string
}

// SetupStatus answers anyone, signed in or not: the wizard is shown before
// any account exists.
func (s *Service) SetupStatus(ctx context.Context) (SetupStatus, error) {
	sys, c := system(ctx), s.db(ctx)
	exists, err := c.User.Query().Exist(sys)
	if err != nil {
		return SetupStatus{}, fmt.Errorf("setup status: %w", err)
	}
	st := SetupStatus{NeedsSetup: !exists, InstanceName: defaultInstanceName}
	row, err := c.Settings.Get(sys, settings.InstanceID)
	switch {
	case err == nil:
		st.InstanceName = row.InstanceName
	case !ent.IsNotFound(err):
		return SetupStatus{}, fmt.Errorf("setup status: %w", err)
	}
	return st, nil
}

// SetupInput is the setup wizard's form.
type SetupInput struct {
	Email, Password, Name, InstanceName string
}

func errAlreadySetUp() error { return apperr.New(apperr.Conflict, "Oopsie is already set up") }

// Setup creates the first user, names the instance and signs the user in.
// It works once: while no user exists.
//
// Several setups may race (two tabs, an attacker watching for a fresh
// instance). The winner is whoever claims settings.setup_completed_at with
// a conditional update; on PostgreSQL the losers' updates wait for the
// winner's row lock and then match nothing, on SQLite the transactions run
// one after the other.
func (s *Service) Setup(ctx context.Context, in SetupInput, userAgent string) (*ent.User, auth.Tokens, error) {
	p := problems{}
	email := p.email(in.Email)
	p.password(in.Password)
	name := p.name(in.Name)
	instanceName, err := settings.ValidateInstanceName(in.InstanceName)
	p.add(err)
	if err := p.err(); err != nil {
		return nil, auth.Tokens{}, err
	}
	// Cheap early answer before the deliberately slow hash.
	if st, err := s.SetupStatus(ctx); err != nil {
		return nil, auth.Tokens{}, fmt.Errorf("setup: %w", err)
	} else if !st.NeedsSetup {
		return nil, auth.Tokens{}, errAlreadySetUp()
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return nil, auth.Tokens{}, fmt.Errorf("setup: %w", err)
	}

	var (
		u      *ent.User
		tokens auth.Tokens
	)
	err = s.inTx(ctx, func(ctx context.Context, c *ent.Client) error {
		sys := system(ctx)
		if err := settings.EnsureRow(sys, c); err != nil {
			return err
		}
		n, err := c.Settings.Update().
			Where(entsettings.ID(settings.InstanceID), entsettings.SetupCompletedAtIsNil()).
			SetSetupCompletedAt(s.now()).
			SetInstanceName(instanceName).
			Save(sys)
		if err != nil {
			return fmt.Errorf("claim setup: %w", err)
		}
		if n == 0 {
			return errAlreadySetUp()
		}
		// Users made some other way (a restored database) also end setup.
		if exists, err := c.User.Query().Exist(sys); err != nil {
			return fmt.Errorf("check users: %w", err)
		} else if exists {
			return errAlreadySetUp()
		}
		if u, err = c.User.Create().SetEmail(email).SetName(name).SetPasswordHash(hash).Save(sys); err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		tokens, err = s.auth.StartSession(ctx, u.ID, userAgent)
		return err
	})
	if err != nil {
		return nil, auth.Tokens{}, fmt.Errorf("setup: %w", err)
	}
	return u, tokens, nil
}
