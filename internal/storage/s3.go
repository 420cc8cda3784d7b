package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/yoanbernabeu/oopsie/internal/config"
)

// S3 stores blobs as objects of one bucket of an S3-compatible service, so
// that several replicas share them.
type S3 struct {
	client *s3.Client
	bucket string
}

var _ Blobs = (*S3)(nil)

// NewS3 returns a store for the configured bucket. It does no I/O: call Ping
// to check that the bucket is reachable.
//
// Credentials are the configured key pair, or without one the SDK's
// default chain: AWS_* variables, shared files, then the container's or
// instance's role, which is how AWS deployments avoid long-lived keys. The
// chain is asked on first use: a machine without any fails its first
// request, not start-up.
//
// With an endpoint (MinIO, Scaleway, Garage, R2, …) addressing is path-style,
// because those services rarely have wildcard DNS for virtual-hosted buckets.
func NewS3(ctx context.Context, cfg config.S3) (*S3, error) {
	switch {
	case cfg.Bucket == "":
		return nil, errors.New("s3 storage: no bucket (STORAGE_S3_BUCKET)")
	case cfg.Region == "":
		return nil, errors.New("s3 storage: no region (STORAGE_S3_REGION)")
	case (cfg.AccessKey == "") != (cfg.SecretKey == ""):
		return nil, errors.New("s3 storage: set both STORAGE_S3_KEY and STORAGE_S3_SECRET, or neither for the default credential chain")
	}
	var creds aws.CredentialsProvider
	if cfg.AccessKey != "" {
		creds = credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, "")
	} else {
		ambient, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(cfg.Region))
		if err != nil {
			return nil, fmt.Errorf("s3 storage: default credentials: %w", err)
		}
		creds = ambient.Credentials
	}
	opts := s3.Options{
		Region:      cfg.Region,
		Credentials: aws.NewCredentialsCache(creds),
		// Since early 2025 the SDK adds CRC checksums to every upload by
		// default, which many S3-compatible services reject. Uploads are
		// still protected by the signed SHA-256 of the payload.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
		opts.UsePathStyle = true
	}
	return &S3{client: s3.New(opts), bucket: cfg.Bucket}, nil
}

// Put uploads the blob in one PutObject, which S3 applies atomically: a
// failed upload leaves nothing under key.
//
// The body must be seekable so the SDK can sign its hash and replay it on a
// retry. A bytes.Reader or file is sent as is; any other reader is read into
// memory first, so callers with large streams should pass a file.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	body, n, err := seekableBody(ctx, r, size)
	if err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	in := &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(key),
		Body:          body,
		ContentLength: aws.Int64(n),
		// Should the bucket ever be exposed directly, browsers must still
		// download rather than render what users uploaded.
		ContentDisposition: aws.String("attachment"),
	}
	if contentType != "" {
		in.ContentType = aws.String(contentType)
	}
	if _, err := s.client.PutObject(ctx, in); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	return nil
}

// seekableBody returns a seekable reader over exactly size bytes of r (all
// of r when size is negative) and its length, or ErrSizeMismatch.
func seekableBody(ctx context.Context, r io.Reader, size int64) (io.ReadSeeker, int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	if rs, ok := r.(io.ReadSeeker); ok {
		cur, err := rs.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, 0, fmt.Errorf("seek body: %w", err)
		}
		end, err := rs.Seek(0, io.SeekEnd)
		if err != nil {
			return nil, 0, fmt.Errorf("seek body: %w", err)
		}
		if _, err := rs.Seek(cur, io.SeekStart); err != nil {
			return nil, 0, fmt.Errorf("seek body: %w", err)
		}
		n := end - cur
		if size >= 0 && n != size {
			return nil, 0, fmt.Errorf("%w: got %d bytes, declared %d", ErrSizeMismatch, n, size)
		}
		return rs, n, nil
	}
	var src io.Reader = ctxReader{ctx: ctx, r: r}
	if size >= 0 && size+1 > 0 {
		src = io.LimitReader(src, size+1)
	}
	data, err := io.ReadAll(src)
	if err != nil {
		return nil, 0, fmt.Errorf("read body: %w", err)
	}
	n := int64(len(data))
	if size >= 0 && n != size {
		if n > size {
			return nil, 0, fmt.Errorf("%w: more than the declared %d bytes", ErrSizeMismatch, size)
		}
		return nil, 0, fmt.Errorf("%w: got %d bytes, declared %d", ErrSizeMismatch, n, size)
	}
	return bytes.NewReader(data), n, nil
}

// Get opens the object for reading. The caller must close it.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("get blob: %w", err)
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if isMissingObject(err) {
		return nil, fmt.Errorf("get blob %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get blob %s: %w", key, err)
	}
	return out.Body, nil
}

// isMissingObject tells a missing object from a missing bucket: both are
// 404s, but the second is an outage to report, not an absent blob.
func isMissingObject(err error) bool {
	if err == nil {
		return false
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "NoSuchKey":
			return true
		case "NoSuchBucket":
			return false
		}
	}
	var resp *awshttp.ResponseError
	return errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusNotFound
}

// Delete removes the object. S3 answers a delete of a missing key with
// success; some compatible services say NoSuchKey, which is success too.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("delete blob: %w", err)
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil && !isMissingObject(err) {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	return nil
}

// Ping checks that the bucket exists and the credentials may use it. It
// makes one attempt: readiness probes poll on their own schedule, and an
// answer held back by the SDK's backoff would only arrive after their
// timeout.
func (s *S3) Ping(ctx context.Context) error {
	_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.bucket)},
		func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	if err != nil {
		return fmt.Errorf("ping s3 bucket %s: %w", s.bucket, err)
	}
	return nil
}
