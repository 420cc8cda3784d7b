// Package apperr is the vocabulary of failures the domain services report.
// Each transport maps a Kind to its own terms in one place: GraphQL to
// extensions.code, REST to an HTTP status. A message is written for the
// person who sent the request; internal details stay in wrapped errors,
// which transports log but never show.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies a failure.
type Kind int

const (
	Internal Kind = iota
	Unauthenticated
	Forbidden
	NotFound
	Invalid
	Conflict
	RateLimited
	Unavailable
	TooLarge
	UnsupportedMediaType
)

// Code is the GraphQL extensions.code and REST error code of the kind.
func (k Kind) Code() string {
	switch k {
	case Unauthenticated:
		return "UNAUTHENTICATED"
	case Forbidden:
		return "FORBIDDEN"
	case NotFound:
		return "NOT_FOUND"
	case Invalid:
		return "BAD_USER_INPUT"
	case Conflict:
		return "CONFLICT"
	case RateLimited:
		return "RATE_LIMITED"
	case Unavailable:
		return "UNAVAILABLE"
	case TooLarge:
		return "PAYLOAD_TOO_LARGE"
	case UnsupportedMediaType:
		return "UNSUPPORTED_MEDIA_TYPE"
	default:
		return "INTERNAL"
	}
}

// Error is a failure a caller can act on.
type Error struct {
	Kind    Kind
	Message string
	// Fields maps input field names to what is wrong with them.
	Fields map[string]string
	// RetryAfter tells a rate-limited or unavailable caller when to retry.
	RetryAfter time.Duration
	// Err is the cause, for logs only.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of kind with a message for the caller.
func New(kind Kind, format string, a ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, a...)}
}

// InvalidField reports one bad input field.
func InvalidField(field, problem string) *Error {
	return &Error{Kind: Invalid, Message: field + ": " + problem, Fields: map[string]string{field: problem}}
}

// KindOf returns the kind of err: the Kind of an *Error in its chain, else Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}
