// A partition's copy of the read side definitions: read from the control plane, kept for a few seconds, refreshed on demand.
import type { ReadSideRecord } from "../control/index.js";

/** How long a partition trusts its copy before reading the control plane again. */
export const READ_SIDES_TTL_MS = 10_000;

/** Read side definitions as one partition sees them. */
export interface ReadSideCache {
  /** Every read side, Statehouse's own (`$log`) included, at most READ_SIDES_TTL_MS old. */
  all(now: number): Promise<ReadSideRecord[]>;
  /** By id; a missing id is looked up again in the control plane once before it is reported missing. */
  get(id: string, now: number): Promise<ReadSideRecord | undefined>;
  /** Forgets the copy, so the next read goes to the control plane (the manager calls it after each change). */
  invalidate(): void;
}

/**
 * A cache over `load` (the control plane). The TTL bounds the control plane's reads to one per
 * partition per TTL, whatever the event rate; an operator's change reaches every partition at once
 * through invalidate(), and the TTL repairs a partition that missed it.
 */
export function createReadSideCache(load: () => Promise<ReadSideRecord[]>): ReadSideCache {
  let copy: { sides: ReadSideRecord[]; byId: Map<string, ReadSideRecord>; at: number } | undefined;
  let loading: Promise<ReadSideRecord[]> | undefined;
  let version = 0;
  const reload = async (now: number): Promise<ReadSideRecord[]> => {
    for (;;) {
      const started = version;
      const mine = (loading ??= load());
      const sides = await mine.finally(() => {
        if (loading === mine) loading = undefined;
      });
      if (started === version) {
        copy = { sides, byId: new Map(sides.map((s) => [s.spec.id, s])), at: now };
        return sides;
      }
      // An invalidate() came while this read was in flight: it may predate the change (a restart's
      // new generation), and a commit using it would drop the new generation's cursors. Read again.
    }
  };
  const fresh = async (now: number) => (copy !== undefined && now - copy.at < READ_SIDES_TTL_MS ? copy.sides : reload(now));
  return {
    all: fresh,
    async get(id, now) {
      await fresh(now);
      const found = copy?.byId.get(id);
      if (found !== undefined) return found;
      return (await reload(now)).find((s) => s.spec.id === id);
    },
    invalidate() {
      version++;
      copy = undefined;
      // A read already in flight may predate the change: the next read starts a new one.
      loading = undefined;
    },
  };
}
