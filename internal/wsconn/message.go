package wsconn

import (
	"encoding/json"
	"reflect"
	"sync"
)

// encodeMessage writes gqlgen's protocol messages ({payload, id, type},
// both subprotocols) as json.Marshal would, without compacting the payload
// again: gqlgen made it with json.Marshal, so it is compact and escaped
// already, and compacting it a second time for every subscriber of every
// event was a fifth of the server's CPU under live load. Anything else, or
// a string that would need escaping, returns false for json.Marshal to
// handle. swap, when not nil, may replace the payload.
func encodeMessage(v any, swap func(payload []byte) []byte) ([]byte, bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil, false
	}
	rv = rv.Elem()
	p := planFor(rv.Type())
	if p == nil {
		return nil, false
	}
	payload := rv.Field(p.payload).Bytes()
	if swap != nil {
		payload = swap(payload)
	}
	id, typ := rv.Field(p.id).String(), rv.Field(p.typ).String()
	if !plain(id) || !plain(typ) {
		return nil, false
	}
	b := make([]byte, 0, len(payload)+len(id)+len(typ)+32)
	b = append(b, '{')
	if len(payload) > 0 {
		b = append(b, `"payload":`...)
		b = append(b, payload...)
		b = append(b, ',')
	}
	if id != "" {
		b = append(b, `"id":"`...)
		b = append(b, id...)
		b = append(b, `",`...)
	}
	b = append(b, `"type":"`...)
	b = append(b, typ...)
	b = append(b, `"}`...)
	return b, true
}

// messagePlan is where a message type keeps its three fields.
type messagePlan struct{ payload, id, typ int }

var plans sync.Map // reflect.Type → *messagePlan, nil when not a message

var rawMessage = reflect.TypeFor[json.RawMessage]()

// planFor recognises a message type: exactly the exported fields
// Payload json.RawMessage `json:"payload,omitempty"`, ID string
// `json:"id,omitempty"` and Type (a string) `json:"type"`, with no
// MarshalJSON of its own.
func planFor(t reflect.Type) *messagePlan {
	if p, ok := plans.Load(t); ok {
		return p.(*messagePlan)
	}
	p := &messagePlan{payload: -1, id: -1, typ: -1}
	exported := 0
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		exported++
		switch {
		case f.Name == "Payload" && f.Type == rawMessage && f.Tag.Get("json") == "payload,omitempty":
			p.payload = i
		case f.Name == "ID" && f.Type.Kind() == reflect.String && f.Tag.Get("json") == "id,omitempty":
			p.id = i
		case f.Name == "Type" && f.Type.Kind() == reflect.String && f.Tag.Get("json") == "type":
			p.typ = i
		}
	}
	marshaler := reflect.TypeFor[json.Marshaler]()
	if exported != 3 || p.payload < 0 || p.id < 0 || p.typ < 0 ||
		t.Implements(marshaler) || reflect.PointerTo(t).Implements(marshaler) {
		p = nil
	}
	plans.Store(t, p)
	return p
}

// plain reports whether json.Marshal writes s as it is between quotes.
func plain(s string) bool {
	for i := range len(s) {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
