package viewer_test

import (
	"context"
	"errors"
	"testing"

	"github.com/yoanbernabeu/oopsie/internal/viewer"
)

func TestMayIngest(t *testing.T) {
	t.Parallel()
	const project, other = "prj_a", "prj_b"
	for _, tc := range []struct {
		name    string
		v       viewer.Viewer
		project string
		want    error
	}{
		{"anonymous", viewer.Viewer{}, project, viewer.ErrUnauthenticated},
		{"anonymous, no project", viewer.Viewer{}, "", viewer.ErrUnauthenticated},
		{"anonymous with a project id", viewer.Viewer{ProjectID: project}, project, viewer.ErrUnauthenticated},
		{"user", viewer.ForUser("usr_1"), project, nil},
		{"user, other project", viewer.ForUser("usr_1"), other, nil},
		{"api token", viewer.ForAPIToken("tok_1"), project, nil},
		{"api token, other project", viewer.ForAPIToken("tok_1"), other, nil},
		{"system", viewer.ForSystem("job"), project, nil},
		{"system, other project", viewer.ForSystem("job"), other, nil},
		{"public key, own project", viewer.ForPublicKey(project, "key_1"), project, nil},
		{"public key, other project", viewer.ForPublicKey(project, "key_1"), other, viewer.ErrForbidden},
		{"public key, empty project", viewer.ForPublicKey(project, "key_1"), "", viewer.ErrForbidden},
		{"public key without project, some project", viewer.ForPublicKey("", "key_1"), project, viewer.ErrForbidden},
		{"unknown kind", viewer.Viewer{Kind: viewer.Kind(99), ProjectID: project}, project, viewer.ErrForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.v.MayIngest(tc.project)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("MayIngest(%q) = %v, want nil", tc.project, err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("MayIngest(%q) = %v, want %v", tc.project, err, tc.want)
			}
			// The two refusals are told apart.
			for _, e := range []error{viewer.ErrUnauthenticated, viewer.ErrForbidden} {
				if e != tc.want && errors.Is(err, e) {
					t.Errorf("MayIngest(%q) = %v, which is also %v", tc.project, err, e)
				}
			}
		})
	}
}

func TestContext(t *testing.T) {
	t.Parallel()

	t.Run("bare context is anonymous", func(t *testing.T) {
		t.Parallel()
		v := viewer.FromContext(context.Background())
		if v != (viewer.Viewer{}) {
			t.Fatalf("FromContext(background) = %+v, want the zero viewer", v)
		}
		if v.Kind != viewer.Anonymous || v.Authenticated() || v.Admin() {
			t.Fatalf("FromContext(background) = %+v: kind %v, authenticated %v, admin %v", v, v.Kind, v.Authenticated(), v.Admin())
		}
		if err := v.MayIngest("prj_a"); !errors.Is(err, viewer.ErrUnauthenticated) {
			t.Fatalf("anonymous MayIngest = %v, want ErrUnauthenticated", err)
		}
	})

	t.Run("unrelated values are not a viewer", func(t *testing.T) {
		t.Parallel()
		type otherKey struct{}
		ctx := context.WithValue(context.Background(), otherKey{}, viewer.ForUser("usr_1"))
		if v := viewer.FromContext(ctx); v != (viewer.Viewer{}) {
			t.Fatalf("FromContext = %+v, want the zero viewer", v)
		}
	})

	for _, v := range []viewer.Viewer{
		viewer.ForUser("usr_1"),
		viewer.ForAPIToken("tok_1"),
		viewer.ForPublicKey("prj_a", "key_1"),
		viewer.ForSystem("job"),
		{}, // storing the anonymous viewer explicitly
	} {
		t.Run("round trip "+v.Kind.String(), func(t *testing.T) {
			t.Parallel()
			ctx := viewer.NewContext(context.Background(), v)
			if got := viewer.FromContext(ctx); got != v {
				t.Fatalf("FromContext(NewContext(v)) = %+v, want %+v", got, v)
			}
			// A derived context still carries it.
			type k struct{}
			derived, cancel := context.WithCancel(context.WithValue(ctx, k{}, "x"))
			defer cancel()
			if got := viewer.FromContext(derived); got != v {
				t.Fatalf("FromContext(derived) = %+v, want %+v", got, v)
			}
			// The innermost viewer wins.
			inner := viewer.ForSystem("inner")
			if got := viewer.FromContext(viewer.NewContext(ctx, inner)); got != inner {
				t.Fatalf("FromContext(NewContext(NewContext(v), inner)) = %+v, want %+v", got, inner)
			}
			if got := viewer.FromContext(ctx); got != v {
				t.Fatalf("outer context changed: FromContext = %+v, want %+v", got, v)
			}
		})
	}

	t.Run("system context", func(t *testing.T) {
		t.Parallel()
		v := viewer.FromContext(viewer.SystemContext(context.Background(), "retention"))
		if want := viewer.ForSystem("retention"); v != want {
			t.Fatalf("FromContext(SystemContext) = %+v, want %+v", v, want)
		}
		if v.Kind != viewer.System || v.Job != "retention" || !v.Admin() {
			t.Fatalf("FromContext(SystemContext) = %+v", v)
		}
	})
}
