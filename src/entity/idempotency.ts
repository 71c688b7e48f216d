// Idempotency keys: how long they are kept, and the answer a retried command gets.
import { StatehouseError } from "../errors.js";
import type { JournalStore } from "./journal/index.js";
import { type Head, emptyHead } from "./entity-head.js";
import type { StateReply } from "./rpc-types.js";

/** Idempotency keys are remembered at least this long. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The reply to a command whose idempotency key was `seen` before: the state right after the
 * revision the first command reached, without running again. The same key with a different
 * command is invalid_argument; a revision compaction removed is failed_precondition.
 */
export function replayIdempotent(
  journal: JournalStore,
  key: string,
  seen: { revision: number; commandHash: Uint8Array },
  hash: Uint8Array,
  prior: Head,
): StateReply {
  if (!equalBytes(seen.commandHash, hash)) {
    throw new StatehouseError("invalid_argument", `idempotency key ${JSON.stringify(key)} was already used for a different command`);
  }
  if (seen.revision === prior.revision) return { state: prior.stateBytes, meta: prior.metaBytes };
  const row = seen.revision === 0 ? undefined : journal.stateAt(seen.revision);
  if (row !== undefined) return { state: row.state, meta: row.meta };
  if (seen.revision === 0) {
    const fresh = emptyHead(prior.meta.entityId);
    return { state: fresh.stateBytes, meta: fresh.metaBytes };
  }
  throw new StatehouseError(
    "failed_precondition",
    `the command with idempotency key ${JSON.stringify(key)} was applied at revision ${seen.revision}, which is no longer retained`,
  );
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}
