package graph

import (
	"context"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/apitoken"
	"github.com/yoanbernabeu/oopsie/ent/attachment"
	"github.com/yoanbernabeu/oopsie/ent/comment"
	"github.com/yoanbernabeu/oopsie/ent/crashgroup"
	"github.com/yoanbernabeu/oopsie/ent/crashreport"
	"github.com/yoanbernabeu/oopsie/ent/feedback"
	"github.com/yoanbernabeu/oopsie/ent/project"
	"github.com/yoanbernabeu/oopsie/ent/publickey"
	"github.com/yoanbernabeu/oopsie/ent/report"
	"github.com/yoanbernabeu/oopsie/ent/reportgroup"
	"github.com/yoanbernabeu/oopsie/ent/schema/pulid"
	"github.com/yoanbernabeu/oopsie/ent/settings"
	"github.com/yoanbernabeu/oopsie/ent/user"
	"github.com/yoanbernabeu/oopsie/ent/webhookdelivery"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
)

// nodeTables maps an id's type prefix to its table, so node(id:) reads one
// table instead of probing them all. Refresh tokens are not nodes.
var nodeTables = map[string]string{
	"usr": user.Table,
	"tok": apitoken.Table,
	"set": settings.Table,
	"prj": project.Table,
	"key": publickey.Table,
	"rep": report.Table,
	"rgr": reportgroup.Table,
	"fbk": feedback.Table,
	"crs": crashreport.Table,
	"grp": crashgroup.Table,
	"att": attachment.Table,
	"cmt": comment.Table,
	"whd": webhookdelivery.Table,
}

var nodeType = ent.WithNodeType(func(_ context.Context, id string) (string, error) {
	if t, ok := nodeTables[pulid.Prefix(id)]; ok {
		return t, nil
	}
	return "", apperr.New(apperr.NotFound, "not found")
})
