// What the consumer and the manager share: config, stores over D1, the entity client, the queue.
import type { Registry } from "@bufbuild/protobuf";
import { type Config, loadConfig } from "../config/index.js";
import {
  type CursorStore,
  type CursorViews,
  type EntityIndex,
  type ParkedStore,
  type ReadSideRecord,
  type ReadSideStore,
  createCursorStore,
  createCursorViews,
  createEntityIndex,
  createParkedStore,
  createReadSideStore,
} from "../cursors/index.js";
import { type EntityClient, createEntityClient } from "../entity/index.js";
import { type LogStore, createLogStore } from "../eventlog/index.js";
import { typeRegistry } from "../payload/index.js";
import { syncDeclaredReadSides } from "./declared.js";

/** The read side's dependencies, built from the Worker's env. */
export interface ReadSideContext {
  env: Env;
  config: Config;
  readSides: ReadSideStore;
  cursors: CursorStore;
  views: CursorViews;
  index: EntityIndex;
  parked: ParkedStore;
  log: LogStore;
  entities: EntityClient;
  registry: Registry;
  /** Syncs the read sides declared in config into D1 (once per isolate, again after a failure). */
  syncDeclared(): Promise<void>;
  /** Every read side, after syncDeclared. */
  loadReadSides(): Promise<ReadSideRecord[]>;
}

const synced = new WeakMap<object, Promise<void>>();

/** Builds the context for `env`. */
export function createReadSideContext(env: Env): ReadSideContext {
  const config = loadConfig(env);
  const readSides = createReadSideStore(env.DB);
  const ctx: ReadSideContext = {
    env,
    config,
    readSides,
    cursors: createCursorStore(env.DB),
    views: createCursorViews(env.DB),
    index: createEntityIndex(env.DB),
    parked: createParkedStore(env.DB),
    log: createLogStore(env.DB),
    entities: createEntityClient(env.ENTITY),
    registry: typeRegistry(),
    syncDeclared() {
      let sync = synced.get(env);
      if (sync === undefined) {
        sync = syncDeclaredReadSides(ctx).catch((cause: unknown) => {
          synced.delete(env);
          throw cause;
        });
        synced.set(env, sync);
      }
      return sync;
    },
    async loadReadSides() {
      await ctx.syncDeclared();
      return readSides.list();
    },
  };
  return ctx;
}
