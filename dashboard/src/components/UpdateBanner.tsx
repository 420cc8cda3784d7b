import { useState } from "react";
import { useQuery } from "urql";
import { X } from "lucide-react";
import { graphql } from "../gql";
import { Button } from "./ui";

const VersionQuery = graphql(`
  query Version {
    version { current latest updateAvailable releaseUrl }
  }
`);

const DISMISSED_KEY = "oopsie.dismissedVersion";

/** Announces a newer release until dismissed; a later release shows it again. */
export function UpdateBanner() {
  const [{ data }] = useQuery({ query: VersionQuery });
  const [dismissed, setDismissed] = useState(() => localStorage.getItem(DISMISSED_KEY));
  const v = data?.version;
  if (!v?.updateAvailable || !v.latest || dismissed === v.latest) return null;

  function dismiss() {
    localStorage.setItem(DISMISSED_KEY, v!.latest!);
    setDismissed(v!.latest!);
  }

  return (
    <div role="status" className="flex items-center gap-3 bg-primary px-4 py-2 text-sm text-white sm:px-6 lg:px-8">
      <p className="flex-1">
        Oopsie {v.latest} is available (you run {v.current}).{" "}
        {v.releaseUrl && (
          <a href={v.releaseUrl} target="_blank" rel="noreferrer" className="font-medium underline">
            Release notes
          </a>
        )}
      </p>
      <Button variant="ghost" size="sm" className="text-white hover:bg-white/10" aria-label="Dismiss the update notice" onClick={dismiss}>
        <X className="size-4" aria-hidden />
      </Button>
    </div>
  );
}
