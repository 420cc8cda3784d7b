package main

import (
	"context"
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
	p, err := benchkit.CreateProject(ctx, client, baseURL, token, "Bench")
	if err != nil {
		return project{}, err
	}
	return project{slug: p.Slug, key: p.Key}, nil
}
