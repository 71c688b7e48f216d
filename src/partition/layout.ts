// Which partition owns a shard in each layout (a STATEHOUSE_PARTITIONS value the deployment ran with), and whom it took the shard from.

/** The owner of `shard` under `partitions` partitions. */
export function ownerOf(shard: number, partitions: number): number {
  return shard % partitions;
}

/**
 * How partition `me` came to hold `shard` as of the newest layout of `history` (partition counts,
 * oldest first): `none` when the shard is another partition's now; `always` when `me` has held it
 * since the first layout (nothing to take over); otherwise `from` the partition that held it just
 * before the run of layouts, ending with the newest, in which `me` holds it — `version` is the
 * 1-based layout version that run began with.
 */
export type Succession = { kind: "none" } | { kind: "always" } | { kind: "from"; partition: number; version: number };

/** The succession of `shard` to `me` as of layout version `upTo` (default: the newest). */
export function successionOf(history: readonly number[], shard: number, me: number, upTo = history.length): Succession {
  if (upTo < 1 || ownerOf(shard, history[upTo - 1] as number) !== me) return { kind: "none" };
  let start = upTo;
  while (start > 1 && ownerOf(shard, history[start - 2] as number) === me) start--;
  if (start === 1) return { kind: "always" };
  return { kind: "from", partition: ownerOf(shard, history[start - 2] as number), version: start };
}
