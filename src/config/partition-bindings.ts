// The bindings each partition needs: its events queue (EVENTS for partition 0, EVENTS_<p> after it).

/** The name of partition `p`'s events queue binding. */
export function eventQueueBinding(p: number): string {
  return p === 0 ? "EVENTS" : `EVENTS_${p}`;
}

/**
 * What is wrong with the partition settings: more partitions than shards (a partition owns whole
 * shards), or a partition without its queue binding. One message per problem, naming the fix.
 */
export function partitionProblems(env: object, partitions: number, numShards: number): string[] {
  const problems: string[] = [];
  if (partitions > numShards) {
    problems.push(`STATEHOUSE_PARTITIONS (${partitions}) must not exceed COS_NUM_SHARDS (${numShards}): a partition owns whole shards`);
  }
  const bindings = env as Record<string, unknown>;
  // Partition 0's queue is the base EVENTS binding every deployment declares (wrangler.toml).
  const missing = Array.from({ length: partitions - 1 }, (_, i) => eventQueueBinding(i + 1)).filter((name) => !isQueue(bindings[name]));
  if (missing.length > 0) {
    problems.push(
      `STATEHOUSE_PARTITIONS=${partitions} needs a queue producer binding for each partition; missing: ${missing.join(", ")} (see README, "Partitions")`,
    );
  }
  return problems;
}

/** The events queue of each partition, checked by partitionProblems at start. */
export function eventQueues(env: object, partitions: number): Queue<unknown>[] {
  const bindings = env as Record<string, unknown>;
  return Array.from({ length: partitions }, (_, p) => bindings[eventQueueBinding(p)] as Queue<unknown>);
}

function isQueue(v: unknown): boolean {
  return typeof v === "object" && v !== null && typeof (v as { send?: unknown }).send === "function" && typeof (v as { sendBatch?: unknown }).sendBatch === "function";
}
