export function Logo({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" className={className} aria-hidden>
      <rect width="32" height="32" rx="8" className="fill-primary" />
      <circle cx="14" cy="16" r="7" fill="none" stroke="white" strokeWidth="3" />
      <rect x="23" y="9" width="3" height="10" rx="1.5" fill="white" />
      <circle cx="24.5" cy="23" r="1.8" fill="white" />
    </svg>
  );
}
