package attachments

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/yoanbernabeu/oopsie/internal/storage"
)

// DeleteBlobsArgs is a job deleting the bytes of attachments whose rows a
// deletion took away. Enqueued on the deleting transaction, it exists
// exactly when the rows are gone, and survives a crash until the bytes are:
// nothing else could find them again.
type DeleteBlobsArgs struct {
	Keys []string `json:"keys"`
}

// Kind names the job in River's table.
func (DeleteBlobsArgs) Kind() string { return "attachment_blobs_delete" }

// blobsPerJob bounds a job's arguments, a row of River's table, to some
// 100 KB, and its run to what one timeout covers.
const blobsPerJob = 1000

// DeleteBlobsJobs are the jobs deleting keys, blobsPerJob at a time.
func DeleteBlobsJobs(keys []string) []river.InsertManyParams {
	var params []river.InsertManyParams
	for len(keys) > 0 {
		n := min(len(keys), blobsPerJob)
		params = append(params, river.InsertManyParams{Args: DeleteBlobsArgs{Keys: keys[:n]}})
		keys = keys[n:]
	}
	return params
}

// DeleteBlobsWorker works DeleteBlobsArgs jobs.
type DeleteBlobsWorker struct {
	river.WorkerDefaults[DeleteBlobsArgs]
	blobs storage.Blobs
}

// NewDeleteBlobsWorker returns the worker, deleting from blobs.
func NewDeleteBlobsWorker(blobs storage.Blobs) *DeleteBlobsWorker {
	return &DeleteBlobsWorker{blobs: blobs}
}

// Timeout covers a job's blobs one after the other on a slow bucket.
func (w *DeleteBlobsWorker) Timeout(*river.Job[DeleteBlobsArgs]) time.Duration {
	return 5 * time.Minute
}

// Work deletes the job's blobs. On a failure River runs the job again with
// backoff; the blobs already deleted are missing then, which Delete allows.
func (w *DeleteBlobsWorker) Work(ctx context.Context, job *river.Job[DeleteBlobsArgs]) error {
	for _, key := range job.Args.Keys {
		if err := w.blobs.Delete(ctx, key); err != nil {
			return fmt.Errorf("delete attachment bytes: %w", err)
		}
	}
	return nil
}
