package graph

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/yoanbernabeu/oopsie/internal/viewer"
	"github.com/yoanbernabeu/oopsie/internal/wsconn"
)

// Bounds of the WebSocket transport.
const (
	wsInitTimeout = 10 * time.Second
	// A dead peer is noticed within two intervals.
	wsPingInterval = 25 * time.Second
	// Clients send subscribe messages: queries and variables.
	wsReadLimit = 64 << 10
)

// websocket is the subscriptions' transport: graphql-transport-ws and the
// legacy graphql-ws, on gorilla.
func (r *Resolver) websocket() transport.Websocket {
	limit := int64(wsReadLimit)
	return transport.Websocket{
		// WebSocket pings from timers detect dead peers on both protocols;
		// graphql-transport-ws's own ping would cost a goroutine per idle
		// connection.
		Implementation:        wsconn.New(r.sameOrigin, wsPingInterval),
		InitFunc:              r.initWebsocket,
		InitTimeout:           wsInitTimeout,
		KeepAlivePingInterval: wsPingInterval, // graphql-ws clients expect "ka"
		PayloadReadLimit:      &limit,
	}
}

var errWebsocketAuth = errors.New(`forbidden: connection_init must carry {"authorization": "Bearer <token>"} with a valid token`)

// initWebsocket authenticates the connection from connection_init's
// payload, as the Authorization header would a request: browsers cannot set
// headers on a WebSocket. A refused token closes the connection with 4403;
// an access token's expiry closes it then, with 4403 too.
func (r *Resolver) initWebsocket(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	type auth struct {
		v     viewer.Viewer
		until time.Time
		err   error
	}
	a := wsconn.Aside(func() auth {
		v, until, err := r.Auth.AuthenticateUntil(ctx, p.Authorization())
		return auth{v, until, err}
	})
	v, until, err := a.v, a.until, a.err
	if err != nil || !v.Authenticated() {
		ctx = transport.WithWebsocketCloseCode(ctx, wsconn.CodeForbidden)
		ctx = transport.AppendCloseReason(ctx, "Forbidden")
		return ctx, nil, errWebsocketAuth
	}
	ctx = viewer.NewContext(ctx, v)
	if !until.IsZero() {
		expire := time.AfterFunc(time.Until(until), func() {
			_ = wsconn.Close(ctx, wsconn.CodeForbidden, "token expired")
		})
		context.AfterFunc(ctx, func() { expire.Stop() })
	}
	r.recheck(ctx, p.Authorization())
	return ctx, nil, nil
}

// wsRecheckInterval is how soon a revoked API token or a deleted user loses
// its live connections.
const wsRecheckInterval = time.Minute

// recheck authenticates the connection's credential again every
// wsRecheckInterval, and closes the connection with 4403 once it no longer
// holds. A timer rather than a goroutine: idle connections stay small.
func (r *Resolver) recheck(ctx context.Context, authorization string) {
	var mu sync.Mutex
	var t *time.Timer
	var check func()
	check = func() {
		if ctx.Err() != nil {
			return
		}
		if v, _, err := r.Auth.AuthenticateUntil(ctx, authorization); err != nil || !v.Authenticated() {
			if ctx.Err() == nil {
				_ = wsconn.Close(ctx, wsconn.CodeForbidden, "credentials revoked")
			}
			return
		}
		mu.Lock()
		t.Reset(wsRecheckInterval)
		mu.Unlock()
	}
	mu.Lock()
	t = time.AfterFunc(wsRecheckInterval, check)
	mu.Unlock()
	context.AfterFunc(ctx, func() {
		mu.Lock()
		t.Stop()
		mu.Unlock()
	})
}

// sameOrigin lets a browser open a WebSocket only from the dashboard: the
// server's own origin, or OOPSIE_PUBLIC_URL's. Clients that send no Origin
// (servers, CLIs) are not browsers and authenticate like any API client.
func (r *Resolver) sameOrigin(req *http.Request) bool {
	origin := req.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, req.Host) {
		return true
	}
	if r.PublicURL == "" {
		return false
	}
	pub, err := url.Parse(r.PublicURL)
	return err == nil && strings.EqualFold(u.Scheme, pub.Scheme) && strings.EqualFold(u.Host, pub.Host)
}
