package graph

import (
	"context"
	"errors"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/yoanbernabeu/oopsie/ent"
	"github.com/yoanbernabeu/oopsie/ent/privacy"
	"github.com/yoanbernabeu/oopsie/internal/apperr"
	"github.com/yoanbernabeu/oopsie/internal/logging"
	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

var errInternal = apperr.New(apperr.Internal, "internal error")

// presentError is the one place where errors become GraphQL errors. Each
// carries extensions.code; the message is the domain's message for the
// caller, or a generic one: internal details go to the log, never out.
func presentError(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		out := graphql.DefaultErrorPresenter(ctx, err)
		var gqlErr *gqlerror.Error
		if errors.As(err, &gqlErr) && gqlErr.Unwrap() == nil {
			// Raised by gqlgen itself (parsing, validation, input coercion,
			// limits): the message describes the request, not the server.
			// Clients know the contract's codes only, so gqlgen's own code
			// becomes BAD_USER_INPUT and is kept as the reason.
			if code, ok := out.Extensions["code"].(string); ok && code != apperr.Invalid.Code() {
				out.Extensions["reason"] = code
			}
			setCode(out, apperr.Invalid.Code())
			return out
		}
		kind, message := classify(err)
		if kind == apperr.Internal {
			logging.FromContext(ctx, logger).ErrorContext(ctx, "GraphQL request failed", "error", err, "path", out.Path.String())
		}
		out.Message = message
		setCode(out, kind.Code())
		var ae *apperr.Error
		if errors.As(err, &ae) && len(ae.Fields) > 0 {
			out.Extensions["fields"] = ae.Fields
		}
		return out
	}
}

func setCode(e *gqlerror.Error, code string) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}

// classify maps an error to its kind and the message the caller may see.
func classify(err error) (apperr.Kind, string) {
	var ae *apperr.Error
	switch {
	case errors.As(err, &ae):
		if ae.Kind == apperr.Internal {
			return apperr.Internal, errInternal.Message
		}
		return ae.Kind, ae.Message
	case errors.Is(err, viewer.ErrUnauthenticated):
		return apperr.Unauthenticated, "authentication required"
	case errors.Is(err, viewer.ErrForbidden), errors.Is(err, privacy.Deny):
		return apperr.Forbidden, "not allowed"
	case ent.IsNotFound(err):
		return apperr.NotFound, "not found"
	case ent.IsConstraintError(err):
		return apperr.Conflict, "this conflicts with existing data"
	case ent.IsValidationError(err):
		return apperr.Invalid, "a value is out of range or malformed"
	default:
		return apperr.Internal, errInternal.Message
	}
}
