import type { CrashGroupStatus, UpdateCrashGroupInput } from "../gql/graphql";

/** What the user changed in a crash group's triage form; a field left alone is absent. */
export type TriageEdits = { status?: CrashGroupStatus; notes?: string; resolvedIn?: string };

/** The group as the server last sent it. */
export type TriageGroup = { status: CrashGroupStatus; resolutionNotes: string; resolvedInVersion?: string | null };

/** What the form shows: the user's changes over the group as it is now. */
export function triageShown(edits: TriageEdits, group: TriageGroup) {
  return {
    status: edits.status ?? group.status,
    notes: edits.notes ?? group.resolutionNotes,
    resolvedIn: edits.resolvedIn ?? group.resolvedInVersion ?? "",
  };
}

/**
 * The update Save sends: only what the user changed. A group changes under
 * an open page (a crash reopens it as REGRESSED, another user triages it),
 * and sending the form's every field would write its stale status back.
 * Resolving keeps the version shown in the form, as the user saw it.
 */
export function triageInput(edits: TriageEdits, group: TriageGroup): UpdateCrashGroupInput {
  const input: UpdateCrashGroupInput = {};
  if (edits.status !== undefined) input.status = edits.status;
  if (edits.notes !== undefined) input.resolutionNotes = edits.notes;
  const shown = triageShown(edits, group);
  if (shown.status === "RESOLVED" && (edits.resolvedIn !== undefined || (edits.status === "RESOLVED" && shown.resolvedIn))) {
    input.resolvedInVersion = shown.resolvedIn.trim();
  }
  return input;
}
