package app_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/yoanbernabeu/oopsie/internal/apptest"
	"github.com/yoanbernabeu/oopsie/internal/projects"
	"github.com/yoanbernabeu/oopsie/sdk"
)

// The integration snippet loads the SDK from the instance itself; the route
// must win over the dashboard's catch-all and not be taken for a project slug.
func TestServerServesTheSDKWhereTheSnippetLoadsIt(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, dialect.SQLite)

	resp, err := http.Get(s.URL + projects.CDNPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200", projects.CDNPath, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if v := resp.Header.Get("X-Content-Type-Options"); v != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", v)
	}
	if resp.Header.Get("ETag") == "" {
		t.Error("no ETag")
	}
	if !bytes.Equal(body, sdk.Script()) {
		t.Errorf("the body (%d bytes) is not the embedded build (%d bytes)", len(body), len(sdk.Script()))
	}
}
