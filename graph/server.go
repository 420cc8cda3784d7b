package graph

import (
	"context"
	"database/sql/driver"
	"log/slog"
	"net/http"
	"strings"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/yoanbernabeu/oopsie/graph/generated"
	"github.com/yoanbernabeu/oopsie/internal/dbtx"
	"github.com/yoanbernabeu/oopsie/internal/wsconn"
)

// Limits bound what one GraphQL request may ask for.
type Limits struct {
	// Complexity is the most a query may cost: one per field, times the page
	// size for connections.
	Complexity int
	// Depth is the deepest nesting of selections.
	Depth int
	// Introspection lets clients read the schema (GraphiQL needs it).
	Introspection bool
}

// DefaultLimits suit the dashboard and integrations.
var DefaultLimits = Limits{Complexity: 2000, Depth: 12, Introspection: true}

// maxBodyBytes bounds a GraphQL request body: queries are small, and a large
// body is an attack or a mistake.
const maxBodyBytes = 1 << 20

// NewHandler is the /graphql endpoint: it authenticates the caller, bounds
// the body and runs the GraphQL server.
func NewHandler(r *Resolver, limits Limits, logger *slog.Logger) http.Handler {
	srv := http.MaxBytesHandler(newServer(r, limits, logger), maxBodyBytes)
	return r.withRequest(wsconn.Detach(srv, r.sameOrigin, logger))
}

// newServer is the GraphQL server. Mutations run in one transaction each, so
// a failed mutation leaves nothing behind.
func newServer(r *Resolver, limits Limits, logger *slog.Logger) *handler.Server {
	srv := handler.New(pagedSchema{generated.NewExecutableSchema(generated.Config{Resolvers: r})})
	srv.AddTransport(r.websocket())
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if limits.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.FixedComplexityLimit(limits.Complexity))
	srv.Use(depthLimit{max: limits.Depth})
	srv.Use(entgql.Transactioner{TxOpener: entgql.TxOpenerFunc(r.openTx)})
	srv.Use(sharedResponses{})
	srv.SetErrorPresenter(presentError(logger))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "panic in GraphQL resolver", "panic", p)
		return errInternal
	})
	return srv
}

// PlaygroundHandler serves GraphiQL for the endpoint.
func PlaygroundHandler(endpoint string) http.Handler {
	return playground.Handler("Oopsie GraphQL", endpoint)
}

// pagedSchema makes a connection cost its page size times its children, so
// one request cannot ask for thousands of rows in each of several nested
// lists. It covers every *Connection field, including the edges entgql
// generates, without a function per field.
type pagedSchema struct{ graphql.ExecutableSchema }

func (s pagedSchema) Complexity(ctx context.Context, typeName, fieldName string, child int, args map[string]any) (int, bool) {
	if c, ok := s.ExecutableSchema.Complexity(ctx, typeName, fieldName, child, args); ok {
		return c, true
	}
	def := s.Schema().Types[typeName]
	if def == nil {
		return 0, false
	}
	f := def.Fields.ForName(fieldName)
	if f == nil || !strings.HasSuffix(f.Type.Name(), "Connection") {
		return 0, false
	}
	n := defaultPageSize
	for _, arg := range []string{"first", "last"} {
		switch v := args[arg].(type) {
		case int:
			n = v
		case int64:
			n = int(v)
		case *int:
			if v != nil {
				n = *v
			}
		}
	}
	return 1 + n*child, true
}

var _ graphql.HandlerExtension = depthLimit{}

// openTx opens a mutation's transaction through dbtx, so that jobs the
// mutation enqueues (a test webhook) commit or roll back with it.
func (r *Resolver) openTx(ctx context.Context) (context.Context, driver.Tx, error) {
	ctx, tx, err := dbtx.Begin(ctx, r.Client)
	if err != nil {
		return ctx, nil, err
	}
	return ctx, tx, nil
}
