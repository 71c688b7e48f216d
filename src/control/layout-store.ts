// D1 access for the history of partition layouts: which STATEHOUSE_PARTITIONS values ran, in order.

/** Reads and extends the layout history. */
export interface LayoutStore {
  /**
   * The partition counts the deployment has run with, oldest first, after recording `current` if
   * it is larger than the newest (a resize). A smaller `current` is not recorded: partitions are
   * only ever added (configuration refuses fewer).
   */
  history(current: number, now: number): Promise<number[]>;
}

/** A LayoutStore over D1. */
export function createLayoutStore(db: D1Database): LayoutStore {
  return {
    async history(current, now) {
      const [, rows] = await db.batch<{ partitions: number }>([
        db
          .prepare(
            `INSERT INTO sh_partition_layout (version, partitions, created_at)
             SELECT coalesce(max(version), 0) + 1, ?1, ?2 FROM sh_partition_layout
             HAVING coalesce((SELECT partitions FROM sh_partition_layout ORDER BY version DESC LIMIT 1), 0) < ?1`,
          )
          .bind(current, now),
        db.prepare("SELECT partitions FROM sh_partition_layout ORDER BY version"),
      ]);
      return (rows?.results ?? []).map((r) => r.partitions);
    },
  };
}
