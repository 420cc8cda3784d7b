package wsconn

import (
	"encoding/json"
	"testing"
)

type msgType string

// protocolMessage has the shape of gqlgen's two message types.
type protocolMessage struct {
	Payload json.RawMessage `json:"payload,omitempty"`
	ID      string          `json:"id,omitempty"`
	Type    msgType         `json:"type"`
	noOp    bool
}

type otherMessage struct {
	Payload json.RawMessage `json:"payload,omitempty"`
	ID      string          `json:"id,omitempty"`
	Type    msgType         `json:"type"`
	Extra   int             `json:"extra"`
}

type selfMarshaled protocolMessage

func (selfMarshaled) MarshalJSON() ([]byte, error) { return []byte(`{"mine":true}`), nil }

// The fast encoding writes what json.Marshal writes, and leaves to it
// whatever it does not know.
func TestEncodeMessageMatchesJSONMarshal(t *testing.T) {
	t.Parallel()
	payload, _ := json.Marshal(map[string]any{"data": map[string]any{"reportCreated": map[string]any{
		"id": "rep_1", "message": "<b>Pay</b> & \"quit\"\n", "n": 3}}})
	fast := []*protocolMessage{
		{Payload: payload, ID: "1", Type: "next"},
		{ID: "sub-42", Type: "complete"},
		{Type: "connection_ack"},
		{Payload: json.RawMessage(`{}`), Type: "ping"},
		{Payload: json.RawMessage{}, Type: "pong"},
	}
	for _, m := range fast {
		got, ok := encodeMessage(m, nil)
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if !ok || string(got) != string(want) {
			t.Errorf("encodeMessage(%+v) = %s, %v; json.Marshal: %s", m, got, ok, want)
		}
	}
	slow := []any{
		&protocolMessage{ID: `a"b`, Type: "next"},
		&protocolMessage{ID: "é", Type: "next"},
		&protocolMessage{ID: "1", Type: "<next>"},
		&otherMessage{Type: "next"},
		&selfMarshaled{Type: "next"},
		protocolMessage{Type: "next"},
		(*protocolMessage)(nil),
		map[string]string{"type": "next"},
	}
	for _, m := range slow {
		if got, ok := encodeMessage(m, nil); ok {
			t.Errorf("encodeMessage(%#v) = %s, want it left to json.Marshal", m, got)
		}
	}
}

func BenchmarkEncodeMessage(b *testing.B) {
	payload, _ := json.Marshal(map[string]any{"data": map[string]any{"reportCreated": map[string]any{
		"id": "01KBENCHLIVE00000000000000", "message": "bench-live [bl:0:0] The checkout froze after I clicked Pay: nothing happened and the total stayed at zero.",
		"category": "UI", "severity": "HIGH", "status": "NEW", "pageUrl": "https://shop.example.com/checkout/payment", "createdAt": "2025-01-01T00:00:00.000000Z"}}})
	m := &protocolMessage{Payload: payload, ID: "1", Type: "next"}
	b.Run("json.Marshal", func(b *testing.B) {
		for b.Loop() {
			_, _ = json.Marshal(m)
		}
	})
	b.Run("encodeMessage", func(b *testing.B) {
		for b.Loop() {
			_, _ = encodeMessage(m, nil)
		}
	})
}
