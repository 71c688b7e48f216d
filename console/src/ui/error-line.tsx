// One line saying what went wrong, announced to screen readers.

/** An error message (nothing when there is none). */
export function ErrorLine({ error }: { error: string | undefined }) {
  if (error === undefined) return null;
  return (
    <p class="error" role="alert">
      {error}
    </p>
  );
}
