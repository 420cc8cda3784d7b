package httpserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// The OpenAPI document and the route table describe the same REST routes:
// adding a route without documenting it, or documenting one that does not
// exist, fails here.
func TestOpenAPIMatchesTheRoutes(t *testing.T) {
	t.Parallel()
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	routed := RESTPatterns()
	slices.Sort(documented)
	slices.Sort(routed)
	if !slices.Equal(documented, routed) {
		t.Errorf("documented routes:\n  %s\nrouted:\n  %s", strings.Join(documented, "\n  "), strings.Join(routed, "\n  "))
	}
}

func TestOpenAPIIsServed(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(New(Deps{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&v) != nil || v["openapi"] == nil {
		t.Errorf("GET /api/v1/openapi.json = %d", resp.StatusCode)
	}
}
