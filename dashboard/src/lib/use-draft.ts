import { useState } from "react";

/**
 * A text field's draft of a value that lives elsewhere (a search box over
 * the URL's ?q=): the user edits the draft, and a submit writes it back.
 * When the value changes under the field (back and forward, a link, a
 * cleared filter), the draft starts again from it; otherwise the box would
 * show a search that is no longer the one applied.
 */
export function useDraft(value: string): [string, (text: string) => void] {
  const [draft, setDraft] = useState({ of: value, text: value });
  const current = draft.of === value ? draft : { of: value, text: value };
  // Adjusted during render rather than in an effect, so that no frame
  // shows the stale text.
  if (current !== draft) setDraft(current);
  return [current.text, (text) => setDraft({ of: value, text })];
}
