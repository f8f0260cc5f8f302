export function Spinner({ small = false }: { small?: boolean }) {
  return <span className={small ? "spinner spinner-small" : "spinner"} aria-hidden="true" />;
}

/** A loading state with a readable label (announced to screen readers). */
export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <Spinner />
      <span>{label}</span>
    </div>
  );
}
