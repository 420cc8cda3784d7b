package attachments_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/yoanbernabeu/oopsie/internal/attachments"
)

func TestDeleteBlobsJobsSplitsTheKeys(t *testing.T) {
	t.Parallel()
	if jobs := attachments.DeleteBlobsJobs(nil); len(jobs) != 0 {
		t.Errorf("no keys made %d jobs", len(jobs))
	}
	keys := make([]string, 2500)
	for i := range keys {
		keys[i] = fmt.Sprint(i)
	}
	var sizes []int
	var got []string
	for _, p := range attachments.DeleteBlobsJobs(keys) {
		args := p.Args.(attachments.DeleteBlobsArgs)
		sizes = append(sizes, len(args.Keys))
		got = append(got, args.Keys...)
	}
	if !slices.Equal(sizes, []int{1000, 1000, 500}) || !slices.Equal(got, keys) {
		t.Errorf("jobs of %v keys, %d keys in all", sizes, len(got))
	}
}
