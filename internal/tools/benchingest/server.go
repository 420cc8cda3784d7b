package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/yoanbernabeu/oopsie/internal/tools/benchkit"
)

// project is the project the load is sent to.
type project struct {
	slug, key string
}

// setUp runs the setup wizard and creates a project without a practical
// rate limit, returning its slug and public key.
func setUp(ctx context.Context, client *http.Client, baseURL string) (project, error) {
	token, err := benchkit.SetUpAdmin(ctx, client, baseURL)
	if err != nil {
		return project{}, err
	}
	var created struct {
		CreateProject struct {
			Slug       string
			PublicKeys []struct{ Key string }
		}
	}
	err = benchkit.GraphQL(ctx, client, baseURL, token,
		`mutation($in: CreateProjectInput!) { createProject(input: $in) { slug publicKeys { key } } }`,
		map[string]any{"in": map[string]any{"name": "Bench", "rateLimitPerMinute": 1_000_000}}, &created)
	if err != nil {
		return project{}, fmt.Errorf("createProject: %w", err)
	}
	p := created.CreateProject
	if p.Slug == "" || len(p.PublicKeys) == 0 || p.PublicKeys[0].Key == "" {
		return project{}, errors.New("createProject returned no slug or public key")
	}
	return project{slug: p.Slug, key: p.PublicKeys[0].Key}, nil
}
