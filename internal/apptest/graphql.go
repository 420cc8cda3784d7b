package apptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
)

// GQLError is one error of a GraphQL response.
type GQLError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code is the error's extensions.code.
func (e GQLError) Code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}

// GQLResponse is a decoded GraphQL response.
type GQLResponse struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []GQLError      `json:"errors"`
}

// Codes lists the errors' codes, for assertions.
func (r GQLResponse) Codes() []string {
	out := make([]string, len(r.Errors))
	for i, e := range r.Errors {
		out[i] = e.Code()
	}
	return out
}

// GraphQL posts a query to /graphql with the token as Bearer (none when empty).
func (s *Server) GraphQL(t testing.TB, token, query string, vars map[string]any) GQLResponse {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := GQLResponse{Status: resp.StatusCode}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("POST /graphql answered %d with non-JSON %q", resp.StatusCode, raw)
	}
	return out
}

// MustGraphQL is GraphQL that fails the test on any error and decodes data into out.
func (s *Server) MustGraphQL(t testing.TB, token, query string, vars map[string]any, out any) {
	t.Helper()
	resp := s.GraphQL(t, token, query, vars)
	if len(resp.Errors) > 0 {
		t.Fatalf("GraphQL errors: %s", fmt.Sprint(resp.Errors))
	}
	if out != nil {
		if err := json.Unmarshal(resp.Data, out); err != nil {
			t.Fatalf("decode data %s: %v", resp.Data, err)
		}
	}
}

// Admin credentials that Setup uses.
const (
	AdminEmail    = "admin@example.com"
	AdminPassword = "correct horse battery staple"
)

// Setup runs the setup wizard and returns the admin's access token.
func (s *Server) Setup(t testing.TB) string {
	t.Helper()
	var out struct {
		Setup struct{ AccessToken string }
	}
	s.MustGraphQL(t, "", `mutation($in: SetupInput!) { setup(input: $in) { accessToken } }`,
		map[string]any{"in": map[string]any{"email": AdminEmail, "password": AdminPassword, "name": "Ada", "instanceName": "Acme"}}, &out)
	if out.Setup.AccessToken == "" {
		t.Fatal("setup returned no access token")
	}
	return out.Setup.AccessToken
}
