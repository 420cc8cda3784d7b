import { Link } from "react-router";
import { Button, EmptyState } from "../components/ui";

export function NotFoundPage() {
  return (
    <EmptyState title="Page not found">
      <Button asChild variant="secondary" className="mt-2">
        <Link to="/">Back to the overview</Link>
      </Button>
    </EmptyState>
  );
}
