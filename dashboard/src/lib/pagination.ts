import { useState } from "react";

/**
 * Forward cursor pagination with a way back: the cursors of the pages
 * already visited are kept, so "Previous" needs no backward query. `key`
 * identifies the filtered list; a new key starts again at the first page.
 */
export function useCursorPages(key: string) {
  const [state, setState] = useState<{ key: string; cursors: (string | null)[] }>({ key, cursors: [null] });
  const cursors = state.key === key ? state.cursors : [null];
  return {
    after: cursors[cursors.length - 1],
    page: cursors.length,
    next: (endCursor: string) => setState({ key, cursors: [...cursors, endCursor] }),
    previous: () => setState({ key, cursors: cursors.slice(0, -1) }),
  };
}
