import { useEffect, useRef, useState } from "react";
import { Check, Copy } from "lucide-react";
import { Button } from "./ui";

/** How long the button says "Copied" after a successful copy. */
const COPIED_MS = 1500;

/**
 * A "Copy" button that puts text on the clipboard and says "Copied" for a
 * moment. Copying can fail: navigator.clipboard is missing outside a secure
 * context (plain HTTP on another host than localhost) and writeText rejects
 * without the permission. onResult hears how it went, so the caller can show
 * the text for the user to select and copy by hand.
 */
export function CopyButton({
  text,
  className,
  onResult,
  "aria-label": ariaLabel,
}: {
  text: string;
  className?: string;
  onResult?: (copied: boolean) => void;
  "aria-label": string;
}) {
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  async function copy() {
    clearTimeout(timer.current);
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      setCopied(false);
      onResult?.(false);
      return;
    }
    setCopied(true);
    timer.current = setTimeout(() => setCopied(false), COPIED_MS);
    onResult?.(true);
  }

  return (
    <Button variant="secondary" size="sm" className={className} onClick={copy} aria-label={ariaLabel}>
      {copied ? <Check className="size-3.5" aria-hidden /> : <Copy className="size-3.5" aria-hidden />}
      {copied ? "Copied" : "Copy"}
    </Button>
  );
}
