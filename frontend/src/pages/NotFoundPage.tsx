import { Link } from "react-router-dom";

export function NotFoundPage() {
  return (
    <main className="page">
      <h1>Page not found</h1>
      <p className="muted">There is nothing at this address.</p>
      <Link to="/">Go to your flows</Link>
    </main>
  );
}
