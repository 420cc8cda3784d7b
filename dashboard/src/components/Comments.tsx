import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { AddCommentMutation } from "../lib/operations";
import { describeError } from "../lib/graphql-errors";
import { formatDateTime } from "../lib/format";
import { Button, InlineError, Textarea } from "./ui";

/**
 * For the query of a page with a comment thread: registers it under Comment
 * even while the thread is empty, so the first comment posted refreshes it.
 */
export const commentsContext = { additionalTypenames: ["Comment"] };

interface CommentItem {
  id: string;
  body: string;
  createdAt: string;
  author?: { name: string; email: string } | null;
}

/** The internal comment thread of a report, crash group or piece of feedback. */
export function Comments({ comments, target }: { comments: CommentItem[]; target: { reportId?: string; crashGroupId?: string; feedbackId?: string } }) {
  const [body, setBody] = useState("");
  const [{ fetching, error }, addComment] = useMutation(AddCommentMutation);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await addComment({ input: { ...target, body: body.trim() } });
    if (res.data) setBody("");
  }

  return (
    <div className="space-y-4">
      {comments.length === 0 ? (
        <p className="text-sm text-slate-500">No comments yet.</p>
      ) : (
        <ol className="space-y-3" aria-label="Comments">
          {[...comments]
            .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
            .map((c) => (
              <li key={c.id} className="rounded-md bg-slate-50 p-3">
                <p className="text-xs text-slate-500">
                  <span className="font-medium text-slate-700">{c.author?.name || c.author?.email || "Deleted user"}</span> · {formatDateTime(c.createdAt)}
                </p>
                <p className="mt-1 text-sm whitespace-pre-wrap">{c.body}</p>
              </li>
            ))}
        </ol>
      )}
      <form onSubmit={submit} className="space-y-2">
        <label htmlFor="comment" className="sr-only">
          Add a comment
        </label>
        <Textarea id="comment" placeholder="Add an internal comment…" value={body} onChange={(e) => setBody(e.target.value)} />
        <InlineError message={error && describeError(error)} />
        <Button type="submit" size="sm" disabled={fetching || !body.trim()}>
          {fetching ? "Posting…" : "Comment"}
        </Button>
      </form>
    </div>
  );
}
