// A read side as an operator sees it: its definition without the secret, and its pause state.
import type { PublicReadSideSpec } from "../config/index.js";
import type { ReadSideRecord, ReadSideSource } from "../control/index.js";

/** A read side as the manager answers it; the signing secret is never part of it. */
export interface ReadSideView {
  spec: PublicReadSideSpec;
  hasSecret: boolean;
  /** The whole read side is paused. */
  paused: boolean;
  /** Shards paused on their own, ascending. */
  pausedShards: number[];
  source: ReadSideSource;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  updatedAt: number;
}

/** The view of a stored read side. */
export function toReadSideView(r: ReadSideRecord): ReadSideView {
  const { secret, autoStart: _autoStart, ...spec } = r.spec;
  return {
    spec,
    hasSecret: secret !== undefined,
    paused: r.paused,
    pausedShards: r.pausedShards,
    source: r.source,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
