package graph

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/yoanbernabeu/oopsie/internal/live"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
	"github.com/yoanbernabeu/oopsie/internal/wsconn"
)

// sharedResponses makes each live event's response once per subscription
// shape instead of once per subscriber: subscriptions with the same query,
// operation, variables and rights get the same bytes, so the first of them
// to take an event executes it and the others reuse the result.
type sharedResponses struct{}

var (
	_ graphql.HandlerExtension     = sharedResponses{}
	_ graphql.OperationInterceptor = sharedResponses{}
)

func (sharedResponses) ExtensionName() string                   { return "SharedSubscriptionResponses" }
func (sharedResponses) Validate(graphql.ExecutableSchema) error { return nil }

func (sharedResponses) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
		return next(ctx)
	}
	ctx, pull := live.WithPull(ctx)
	responses := next(ctx)
	if !pull.Active() {
		return responses // refused, or not a live subscription
	}
	key, ok := shapeKey(oc, viewer.FromContext(ctx), requestFrom(ctx).baseURL)
	if !ok {
		return responses
	}
	conn := wsconn.FromContext(ctx) // nil on other transports
	return func(ctx context.Context) *graphql.Response {
		v, ok := pull.Next(ctx, key, func() any {
			r := responses(ctx)
			if r == nil {
				return nil // not shared: the next subscriber produces
			}
			// The generated executor reuses its buffer for the next
			// event; a shared response must own its bytes.
			r.Data = bytes.Clone(r.Data)
			payload, err := json.Marshal(r)
			if err != nil {
				return &sharedResponse{r: r}
			}
			return &sharedResponse{r: r, payload: payload}
		})
		if !ok || v == nil {
			return nil
		}
		sr := v.(*sharedResponse)
		if conn == nil {
			return sr.r
		}
		if pull.Waiting() {
			// A subscriber behind catches up with one write, not one
			// per event: gqlgen writes this response next, then asks
			// for the waiting one.
			conn.Hold()
		}
		if sr.payload != nil {
			if ref, ok := conn.Stage(sr.payload); ok {
				return &graphql.Response{Data: ref}
			}
		}
		return sr.r
	}
}

// sharedResponse is one event's response to a subscription shape, with
// its marshaled form.
type sharedResponse struct {
	r       *graphql.Response
	payload []byte // nil when it could not be marshaled
}

// shapeKey identifies what a subscription's responses depend on: the
// document, the operation, the variables, the viewer's rights, and the
// address the client reached the server by (a project's snippet shows it).
// Every admin has the same rights; another viewer shares only with itself.
func shapeKey(oc *graphql.OperationContext, v viewer.Viewer, baseURL string) (string, bool) {
	vars, err := json.Marshal(oc.Variables) // maps marshal with sorted keys
	if err != nil {
		return "", false
	}
	who := "admin"
	if !v.Admin() {
		who = v.Kind.String() + ":" + v.UserID + v.TokenID + v.KeyID
	}
	// Hashed: the key is looked up for every subscriber and event, and a
	// query may be long.
	sum := sha256.Sum256([]byte(who + "\x00" + baseURL + "\x00" + oc.OperationName + "\x00" + string(vars) + "\x00" + oc.RawQuery))
	return string(sum[:]), true
}
