// Package attachments stores the files that come with reports, feedback and
// crashes: it checks their type by content, keeps the bytes in blob storage
// under non-guessable keys, and records them in the database.
package attachments

import (
	"context"

	"github.com/yoanbernabeu/oopsie/ent"
)

// Limits of the REST contract.
const (
	MaxFileBytes       = 10 << 20 // per attachment
	MaxSubmissionBytes = 20 << 20 // per report, feedback or crash, all files together
	MaxFiles           = 10       // per submission
)

// Upload is one file as a client sent it. Data is fully read: ingest bounds
// the body before decoding, so holding a file in memory is bounded too.
type Upload struct {
	Filename string
	// ClaimedType is the MIME type the client declared; the stored type is
	// the sniffed one.
	ClaimedType string
	Data        []byte
}

// Owner is the item an attachment belongs to: exactly one id is set.
type Owner struct {
	ReportID, FeedbackID, CrashReportID string
}

// Saver stores uploads for an item inside the caller's transaction. The
// bytes go to blob storage first; if the transaction then fails, the caller
// runs the returned cleanup to delete them, so no orphan blob remains.
// DeleteBlobs removes the bytes of deleted items' attachments.
type Saver interface {
	Save(ctx context.Context, tx *ent.Client, owner Owner, files []Upload) (saved []*ent.Attachment, cleanup func(), err error)
	DeleteBlobs(ctx context.Context, storageKeys []string)
}
