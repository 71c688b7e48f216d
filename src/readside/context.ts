// What the consumer, the reconciler and the manager share: config, the control plane, the partitions, their queues and hubs.
import type { Registry } from "@bufbuild/protobuf";
import type { Config } from "../config/index.js";
import type { DeadLetterStore, ReadSideRecord, ReadSideStore } from "../control/index.js";
import type { EntityClient } from "../entity/index.js";
import type { LogEntry } from "../eventlog/index.js";
import type { Partitions } from "../partition/index.js";
import { syncDeclaredReadSides } from "./declared.js";

/** The read side's dependencies, built once per env by the composition root (src/index.ts). */
export interface ReadSideDeps {
  /** For Service Bindings named by read sides (looked up by name when a handler is built). */
  env: Env;
  config: Config;
  readSides: ReadSideStore;
  deadLetters: DeadLetterStore;
  partitions: Partitions;
  /** Each partition's events queue, by partition number. */
  queues: readonly Queue<unknown>[];
  /** Publishes what a commit appended to a partition's slice of the log to its live readers (never throws). */
  publishAppends(partition: number, entries: LogEntry[]): Promise<void>;
  entities: EntityClient;
  registry: Registry;
}

/** The read side's dependencies, plus the declared read sides' sync. */
export interface ReadSideContext extends ReadSideDeps {
  /** Syncs the read sides declared in config into the control plane (once per isolate, again after a failure). */
  syncDeclared(): Promise<void>;
  /** Every read side users manage, after syncDeclared. */
  loadReadSides(): Promise<ReadSideRecord[]>;
  /** Makes every partition forget its copy of the definitions, after a change (best effort: their TTL repairs a miss). */
  refreshPartitions(): Promise<void>;
}

/** Builds the context over its dependencies. */
export function createReadSideContext(deps: ReadSideDeps): ReadSideContext {
  let sync: Promise<void> | undefined;
  const ctx: ReadSideContext = {
    ...deps,
    syncDeclared() {
      sync ??= syncDeclaredReadSides(ctx).catch((cause: unknown) => {
        sync = undefined;
        throw cause;
      });
      return sync;
    },
    async loadReadSides() {
      await ctx.syncDeclared();
      return deps.readSides.list();
    },
    async refreshPartitions() {
      await Promise.all(deps.partitions.all.map((p) => deps.partitions.store(p).refreshReadSides()));
    },
  };
  return ctx;
}
