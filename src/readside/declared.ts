// Syncs the read sides declared in STATEHOUSE_READ_SIDES into the control plane (D1), which the partitions cache.
import type { Config, ReadSideSpec } from "../config/index.js";
import type { ReadSideStore } from "../control/index.js";
import { log } from "../log.js";
import { type SweepDeps, startSweep } from "./sweep.js";

/** What syncing reads and writes: the declared specs, the control plane, the partitions for sweeps. */
export interface DeclaredDeps extends SweepDeps {
  config: Pick<Config, "readSides">;
  readSides: ReadSideStore;
  refreshPartitions(): Promise<void>;
}

/**
 * Inserts declared read sides that D1 lacks (and sweeps them, so they see all history), updates
 * changed definitions, and deletes config read sides no longer declared. Read sides created
 * through the admin API are never touched; a declared id that the API already owns is reported.
 */
export async function syncDeclaredReadSides(ctx: DeclaredDeps): Promise<void> {
  const declared = ctx.config.readSides;
  const stored = new Map((await ctx.readSides.list()).map((r) => [r.spec.id, r]));
  const now = Date.now();
  let changed = false;
  const sweeps: string[] = [];
  for (const spec of declared) {
    const current = stored.get(spec.id);
    if (current === undefined) {
      if (await ctx.readSides.insert(spec, "config", now)) {
        log.info(`statehouse: read side ${spec.id} declared in STATEHOUSE_READ_SIDES was registered`, { read_side_id: spec.id });
        changed = true;
        if (spec.enabled && spec.autoStart) sweeps.push(spec.id);
      }
    } else if (current.source !== "config") {
      log.error(`statehouse: STATEHOUSE_READ_SIDES declares ${spec.id}, which the admin API created; the stored one is kept`, {
        read_side_id: spec.id,
      });
    } else if (!sameSpec(current.spec, spec)) {
      await ctx.readSides.update(spec, now);
      changed = true;
      if (spec.enabled && !current.spec.enabled) sweeps.push(spec.id);
    }
  }
  const ids = new Set(declared.map((s) => s.id));
  for (const r of stored.values()) {
    if (r.source === "config" && !ids.has(r.spec.id)) {
      log.info(`statehouse: read side ${r.spec.id} is no longer declared in STATEHOUSE_READ_SIDES; removing it`, { read_side_id: r.spec.id });
      await ctx.readSides.remove(r.spec.id);
      changed = true;
    }
  }
  // The partitions must know a read side before its sweep asks them what it is behind on.
  if (changed) await ctx.refreshPartitions();
  for (const id of sweeps) await startSweep(ctx, id);
}

function sameSpec(a: ReadSideSpec, b: ReadSideSpec): boolean {
  const norm = (s: ReadSideSpec) => JSON.stringify({ ...s, autoStart: true });
  return norm(a) === norm(b);
}
