// Package viewer says who is acting: a dashboard user, an integration's API
// token, an SDK's public key, or a named background job. It travels in the
// context, and the ent privacy policies decide from it alone, so a GraphQL
// field, a node(id:) lookup, an ingest write and a job are checked alike.
package viewer

import (
	"context"
	"errors"
)

// Kind is the sort of actor.
type Kind int

const (
	// Anonymous is nobody: the zero Viewer. It may read and write nothing.
	Anonymous Kind = iota
	// User is a signed-in dashboard user. Every user is an admin in V1.
	User
	// APIToken is an integration holding a uk_live_ token, with a user's rights.
	APIToken
	// PublicKey is an SDK holding a pk_ key: it may only send items to its project.
	PublicKey
	// System is the server itself: background jobs and internal lookups
	// such as finding the account behind a login.
	System
)

func (k Kind) String() string {
	switch k {
	case User:
		return "user"
	case APIToken:
		return "api_token"
	case PublicKey:
		return "public_key"
	case System:
		return "system"
	default:
		return "anonymous"
	}
}

// Viewer is the actor of a request or job.
type Viewer struct {
	Kind Kind
	// UserID is the user (Kind User).
	UserID string
	// TokenID is the API token (Kind APIToken).
	TokenID string
	// ProjectID and KeyID are the public key's project and the key (Kind PublicKey).
	ProjectID string
	KeyID     string
	// Job names the background work (Kind System), for logs.
	Job string
}

// Admin reports whether the viewer has full rights over the instance's data:
// users (all admins in V1), API tokens and the system.
func (v Viewer) Admin() bool {
	return v.Kind == User || v.Kind == APIToken || v.Kind == System
}

// Authenticated reports whether the viewer is anyone at all.
func (v Viewer) Authenticated() bool { return v.Kind != Anonymous }

// ForUser is the viewer of a signed-in user.
func ForUser(id string) Viewer { return Viewer{Kind: User, UserID: id} }

// ForAPIToken is the viewer of an integration's token.
func ForAPIToken(id string) Viewer { return Viewer{Kind: APIToken, TokenID: id} }

// MayIngest reports whether the viewer may write what an SDK sends (reports,
// feedback, crashes) into projectID: an admin anywhere, a public key in its
// own project. It is the rule of the items' ent policies, for writers that
// batch several viewers' items and so write as the system.
func (v Viewer) MayIngest(projectID string) error {
	switch {
	case v.Kind == Anonymous:
		return ErrUnauthenticated
	case v.Admin(), v.Kind == PublicKey && v.ProjectID == projectID:
		return nil
	default:
		return ErrForbidden
	}
}

// ForPublicKey is the viewer of an SDK's key.
func ForPublicKey(projectID, keyID string) Viewer {
	return Viewer{Kind: PublicKey, ProjectID: projectID, KeyID: keyID}
}

// ForSystem is the viewer of a background job or internal lookup.
func ForSystem(job string) Viewer { return Viewer{Kind: System, Job: job} }

type ctxKey struct{}

// NewContext returns ctx carrying v.
func NewContext(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, ctxKey{}, v)
}

// FromContext returns the viewer in ctx, Anonymous when there is none.
func FromContext(ctx context.Context) Viewer {
	v, _ := ctx.Value(ctxKey{}).(Viewer)
	return v
}

// SystemContext returns ctx acting as the system for the named job.
func SystemContext(ctx context.Context, job string) context.Context {
	return NewContext(ctx, ForSystem(job))
}

var (
	// ErrUnauthenticated: nobody is signed in.
	ErrUnauthenticated = errors.New("authentication required")
	// ErrForbidden: the viewer may not do this.
	ErrForbidden = errors.New("not allowed")
)
