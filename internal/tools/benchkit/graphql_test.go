package benchkit

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestGraphQLSurfacesErrorMessages(t *testing.T) {
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), "broken") {
			_, _ = io.WriteString(w, `{"errors":[{"message":"cannot query field \"broken\""},{"message":"and another"}],"data":null}`)
			return
		}
		_, _ = io.WriteString(w, `{"data":{"viewer":{"email":"bench@example.com"}}}`)
	}))
	defer srv.Close()
	client := NewClient(1, 5*time.Second)

	var out struct{ Viewer struct{ Email string } }
	if err := GraphQL(context.Background(), client, srv.URL, "tok", "{ viewer { email } }", nil, &out); err != nil {
		t.Fatal(err)
	}
	if out.Viewer.Email != "bench@example.com" || auth != "Bearer tok" {
		t.Errorf("decoded %+v with Authorization %q", out, auth)
	}
	err := GraphQL(context.Background(), client, srv.URL, "", "{ broken }", nil, &out)
	if err == nil || !strings.Contains(err.Error(), `cannot query field "broken"; and another`) {
		t.Errorf("error = %v, want both messages", err)
	}
}
