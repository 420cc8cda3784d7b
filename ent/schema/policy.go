package schema

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/entql"

	gen "github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/crashreport"
	"github.com/yoanbernabeu/oopsie/ent/feedback"
	"github.com/yoanbernabeu/oopsie/ent/privacy"
	"github.com/yoanbernabeu/oopsie/ent/report"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

// Authorization lives here, in one place: every query and mutation of every
// entity passes these rules, whichever door it came through (a GraphQL
// field, a node(id:) lookup, an SDK ingest, a background job).
//
//   - Users, API tokens and the system may do anything (all users are admins in V1).
//   - Anonymous callers may do nothing.
//   - A public key may create reports, feedback, crashes and their
//     attachments in its own project, read its project and keys, and keep
//     its project's report and crash groups up to date. Nothing else.

// adminPolicy is the policy of entities only admins touch.
func adminPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowAdmin(), deny()},
		Mutation: privacy.MutationPolicy{allowAdmin(), deny()},
	}
}

// allowAdmin allows admins, denies anonymous callers as unauthenticated, and
// leaves public keys to the rules after it.
func allowAdmin() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		v := viewer.FromContext(ctx)
		switch {
		case v.Admin():
			return privacy.Allow
		case !v.Authenticated():
			return privacy.Denyf("%w", viewer.ErrUnauthenticated)
		default:
			return privacy.Skip
		}
	})
}

func deny() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(context.Context) error {
		return privacy.Denyf("%w", viewer.ErrForbidden)
	})
}

type projectScoped interface {
	WhereProjectID(entql.StringP)
}

// publicKeyInOwnProject lets a public key read, update or delete only rows of
// its own project, by adding the condition to the query itself.
func publicKeyInOwnProject() privacy.QueryMutationRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		if v.Kind != viewer.PublicKey {
			return privacy.Skip
		}
		scoped, ok := f.(projectScoped)
		if !ok {
			return privacy.Denyf("%w", viewer.ErrForbidden)
		}
		scoped.WhereProjectID(entql.StringEQ(v.ProjectID))
		return privacy.Allow
	})
}

type idFilter interface {
	WhereID(entql.StringP)
}

// publicKeyReadsOwnProject lets a public key read its own project row.
func publicKeyReadsOwnProject() privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		if v.Kind != viewer.PublicKey {
			return privacy.Skip
		}
		f.(idFilter).WhereID(entql.StringEQ(v.ProjectID))
		return privacy.Allow
	})
}

type projectMutation interface {
	ProjectID() (string, bool)
}

// publicKeyCreatesInOwnProject lets a public key create rows of its own
// project only.
func publicKeyCreatesInOwnProject() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		v := viewer.FromContext(ctx)
		if v.Kind != viewer.PublicKey || !m.Op().Is(ent.OpCreate) {
			return privacy.Skip
		}
		pm, ok := m.(projectMutation)
		if !ok {
			return privacy.Skip
		}
		if id, set := pm.ProjectID(); set && id == v.ProjectID {
			return privacy.Allow
		}
		return privacy.Denyf("%w", viewer.ErrForbidden)
	})
}

// publicKeyUpdatesOwnProject lets a public key update rows of its own
// project (the group counters), never delete them.
func publicKeyUpdatesOwnProject() privacy.MutationRule {
	return privacy.OnMutationOperation(publicKeyInOwnProject(), ent.OpUpdate|ent.OpUpdateOne)
}

// publicKeyAttachesInOwnProject lets a public key create attachments, which
// carry no project of their own, only on items of its own project.
func publicKeyAttachesInOwnProject() privacy.MutationRule {
	return privacy.AttachmentMutationRuleFunc(func(ctx context.Context, m *gen.AttachmentMutation) error {
		v := viewer.FromContext(ctx)
		if v.Kind != viewer.PublicKey || !m.Op().Is(ent.OpCreate) {
			return privacy.Skip
		}
		// The key may not read items, so the owner is looked up as the system.
		sys := viewer.SystemContext(ctx, "privacy")
		c := m.Client()
		var checks []func(context.Context) (bool, error)
		if id, ok := m.ReportID(); ok {
			checks = append(checks, c.Report.Query().Where(report.ID(id), report.ProjectID(v.ProjectID)).Exist)
		}
		if id, ok := m.FeedbackID(); ok {
			checks = append(checks, c.Feedback.Query().Where(feedback.ID(id), feedback.ProjectID(v.ProjectID)).Exist)
		}
		if id, ok := m.CrashReportID(); ok {
			checks = append(checks, c.CrashReport.Query().Where(crashreport.ID(id), crashreport.ProjectID(v.ProjectID)).Exist)
		}
		if len(checks) == 0 {
			return privacy.Denyf("%w", viewer.ErrForbidden)
		}
		for _, owned := range checks {
			ok, err := owned(sys)
			if err != nil {
				return privacy.Denyf("check the attachment's owner: %w", err)
			}
			if !ok {
				return privacy.Denyf("%w", viewer.ErrForbidden)
			}
		}
		return privacy.Allow
	})
}

// itemPolicy is the policy of what SDKs send: reports, feedback, crashes.
func itemPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowAdmin(), deny()},
		Mutation: privacy.MutationPolicy{allowAdmin(), publicKeyCreatesInOwnProject(), deny()},
	}
}

// groupPolicy is the policy of report and crash groups, which ingest finds,
// creates and counts into.
func groupPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowAdmin(), publicKeyInOwnProject(), deny()},
		Mutation: privacy.MutationPolicy{allowAdmin(), publicKeyCreatesInOwnProject(), publicKeyUpdatesOwnProject(), deny()},
	}
}

func (User) Policy() ent.Policy         { return adminPolicy() }
func (RefreshToken) Policy() ent.Policy { return adminPolicy() }
func (APIToken) Policy() ent.Policy     { return adminPolicy() }
func (Settings) Policy() ent.Policy     { return adminPolicy() }
func (Comment) Policy() ent.Policy      { return adminPolicy() }
func (Report) Policy() ent.Policy       { return itemPolicy() }
func (Feedback) Policy() ent.Policy     { return itemPolicy() }
func (CrashReport) Policy() ent.Policy  { return itemPolicy() }
func (ReportGroup) Policy() ent.Policy  { return groupPolicy() }
func (CrashGroup) Policy() ent.Policy   { return groupPolicy() }

func (Project) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowAdmin(), publicKeyReadsOwnProject(), deny()},
		Mutation: privacy.MutationPolicy{allowAdmin(), deny()},
	}
}

func (PublicKey) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowAdmin(), publicKeyInOwnProject(), deny()},
		Mutation: privacy.MutationPolicy{allowAdmin(), deny()},
	}
}

func (Attachment) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowAdmin(), deny()},
		Mutation: privacy.MutationPolicy{allowAdmin(), publicKeyAttachesInOwnProject(), deny()},
	}
}
