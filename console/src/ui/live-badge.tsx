// The state of a live view's stream, with its pause and resume button.
import type { LiveState } from "../live.js";

/** "live", "paused", "reconnecting…" and a toggle. */
export function LiveBadge({ state, detail, paused, onToggle, what }: { state: LiveState; detail?: string; paused: boolean; onToggle: () => void; what: string }) {
  return (
    <div class="live">
      <span class={`badge badge-${state}`} role="status" aria-live="polite">
        {state === "retrying" ? `reconnecting${detail ? ` (${detail})` : ""}` : state}
      </span>
      <button type="button" onClick={onToggle} aria-pressed={paused}>
        {paused ? `Resume ${what}` : `Pause ${what}`}
      </button>
    </div>
  );
}
