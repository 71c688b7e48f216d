// JSON shown as indented text, with a label; long values scroll inside their box.

/** A labelled block of pretty-printed JSON. */
export function JsonView({ label, value }: { label: string; value: unknown }) {
  return (
    <section class="json" aria-label={label}>
      <h4>{label}</h4>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </section>
  );
}
