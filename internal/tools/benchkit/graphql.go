package benchkit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// The admin account the benchmarks create on their server, and sign in as.
const (
	AdminEmail    = "bench@example.com"
	AdminPassword = "benchmark password 1234"
)

// NewClient is an HTTP client that keeps up to conns connections open to the
// server, so requests do not pay for new connections; timeout bounds each
// request, so a stuck server cannot hang the run.
func NewClient(conns int, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:               nil, // 127.0.0.1 only
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}

// GraphQL posts a GraphQL operation and decodes its data into out. An
// answer with errors fails with their messages.
func GraphQL(ctx context.Context, client *http.Client, baseURL, token, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("POST /graphql: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("POST /graphql: %w", err)
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("POST /graphql answered %d with %q", resp.StatusCode, raw)
	}
	if len(r.Errors) > 0 {
		msgs := make([]string, len(r.Errors))
		for i, e := range r.Errors {
			msgs[i] = e.Message
		}
		return fmt.Errorf("POST /graphql: %s", strings.Join(msgs, "; "))
	}
	return json.Unmarshal(r.Data, out)
}

// SetUpAdmin runs the setup wizard, which creates the first user, an admin
// (AdminEmail), and returns its access token.
func SetUpAdmin(ctx context.Context, client *http.Client, baseURL string) (string, error) {
	var setup struct {
		Setup struct{ AccessToken string }
	}
	err := GraphQL(ctx, client, baseURL, "",
		`mutation($in: SetupInput!) { setup(input: $in) { accessToken } }`,
		map[string]any{"in": map[string]any{
			"email": AdminEmail, "password": AdminPassword, "name": "Bench", "instanceName": "Bench",
		}}, &setup)
	if err != nil {
		return "", fmt.Errorf("setup: %w", err)
	}
	if setup.Setup.AccessToken == "" {
		return "", errors.New("setup returned no access token")
	}
	return setup.Setup.AccessToken, nil
}

// LogIn signs in as the admin SetUpAdmin created and returns an access
// token, valid for 15 minutes.
func LogIn(ctx context.Context, client *http.Client, baseURL string) (string, error) {
	var login struct {
		Login struct{ AccessToken string }
	}
	err := GraphQL(ctx, client, baseURL, "",
		`mutation($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`,
		map[string]any{"email": AdminEmail, "password": AdminPassword}, &login)
	if err != nil {
		return "", fmt.Errorf("login as %s: %w", AdminEmail, err)
	}
	if login.Login.AccessToken == "" {
		return "", errors.New("login returned no access token")
	}
	return login.Login.AccessToken, nil
}

// Project is a project CreateProject made: its id, slug and first public key.
type Project struct {
	ID, Slug, Key string
}

// CreateProject creates a project named name without a practical rate
// limit, signed in with token, and returns it with its public key.
func CreateProject(ctx context.Context, client *http.Client, baseURL, token, name string) (Project, error) {
	var created struct {
		CreateProject struct {
			ID, Slug   string
			PublicKeys []struct{ Key string }
		}
	}
	err := GraphQL(ctx, client, baseURL, token,
		`mutation($in: CreateProjectInput!) { createProject(input: $in) { id slug publicKeys { key } } }`,
		map[string]any{"in": map[string]any{"name": name, "rateLimitPerMinute": 1_000_000}}, &created)
	if err != nil {
		return Project{}, fmt.Errorf("createProject: %w", err)
	}
	p := created.CreateProject
	if p.ID == "" || p.Slug == "" || len(p.PublicKeys) == 0 || p.PublicKeys[0].Key == "" {
		return Project{}, errors.New("createProject returned no id, slug or public key")
	}
	return Project{ID: p.ID, Slug: p.Slug, Key: p.PublicKeys[0].Key}, nil
}
