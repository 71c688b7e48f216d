// The composition root: every store, client and service built once per env from its bindings, and the ports the Durable Objects get.
import { type Config, eventQueues, loadConfig } from "./config/index.js";
import { type DeadLetterStore, type ReadSideRecord, createDeadLetterStore, createLayoutStore, createLegacyStore, createReadSideStore } from "./control/index.js";
import { type DocIndex, type TypeStore, createTypeStore, mergeDocPages } from "./eskit/store/index.js";
import { type EntityClient, type EntityPorts, type EntitySubscriptions, createEntityClient, createEntitySubscriptions } from "./entity/index.js";
import { eskitBuiltins } from "./eskit/index.js";
import { type ArchiveBucket, type EventLog, type LogEntry, type PartitionLogs, createEventLog, createPositionStore } from "./eventlog/index.js";
import { type MetricFamily, metricFamilies, readControlCounters } from "./metrics/index.js";
import { type IndexedEntity, type PartitionPorts, type Partitions, createPartitions, findEntities, partitionName } from "./partition/index.js";
import { typeRegistry } from "./payload/index.js";
import { type ReadSideContext, ReadSideManager, createReadSideContext } from "./readside/index.js";
import { type LogStreams, createLogStreams, publishAppends } from "./streams/index.js";

/** Everything the Worker's handlers use, built once per env. */
export interface Services {
  config: Config;
  entities: EntityClient;
  subscriptions: EntitySubscriptions;
  partitions: Partitions;
  readSides: ReadSideContext;
  manager: ReadSideManager;
  deadLetters: DeadLetterStore;
  eventLog: EventLog;
  logStreams: LogStreams;
  docIndex: DocIndex;
  typeStore: TypeStore;
  /** Everything GET /metrics renders, read now. */
  readMetrics(): Promise<MetricFamily[]>;
  /** Indexed entities by id prefix across the partitions, ids after `after`, at most `limit`. */
  findEntities(q: { prefix: string; after: string; limit: number }): Promise<IndexedEntity[]>;
}

const built = new WeakMap<object, Services>();

/**
 * The services for `env`, built on first use and kept for the isolate's life. Throws the
 * configuration's error (internal, naming every bad variable) while the configuration is invalid.
 */
export function servicesOf(env: Env): Services {
  let services = built.get(env);
  if (services === undefined) {
    services = buildServices(env, loadConfig(env));
    built.set(env, services);
  }
  return services;
}

function buildServices(env: Env, config: Config): Services {
  const registry = typeRegistry();
  const partitions = createPartitions(env.PARTITION, config.numShards, config.partitions);
  const entities = createEntityClient(env.ENTITY);
  const readSideStore = createReadSideStore(env.DB);
  const deadLetters = createDeadLetterStore(env.DB);
  const logs: PartitionLogs = {
    count: partitions.count,
    async read(p, q) {
      const page = await partitions.store(p).readLog(q);
      // A partition's store learns its number from the pipeline's calls; a read says it here.
      for (const e of page.entries) e.partition = p;
      return page;
    },
    bounds: (p) => partitions.store(p).logBounds(),
  };
  const eventLog = createEventLog({ logs, positions: createPositionStore(env.DB) });
  const readSides = createReadSideContext({
    env,
    config,
    readSides: readSideStore,
    deadLetters,
    partitions,
    queues: eventQueues(env, config.partitions),
    publishAppends: (p: number, entries: LogEntry[]) => publishAppends(env.LOG_HUB, p, entries),
    entities,
    registry,
  });
  const docIndex: DocIndex = {
    async list(entityType, after, limit) {
      const pages = await Promise.all(partitions.all.map((p) => partitions.store(p).listDocs(entityType, after, limit)));
      return mergeDocPages(pages, limit);
    },
  };
  return {
    config,
    entities,
    subscriptions: createEntitySubscriptions({ entities, entityNs: env.ENTITY, subscriptionNs: env.SUBSCRIPTION }),
    partitions,
    readSides,
    manager: new ReadSideManager(readSides),
    deadLetters,
    eventLog,
    logStreams: createLogStreams({ logs, eventLog, hubs: env.LOG_HUB, subscriptionNs: env.SUBSCRIPTION }),
    docIndex,
    typeStore: createTypeStore(env.DB),
    findEntities: (q) => findEntities(partitions, q),
    async readMetrics() {
      const [parts, controlCounters, deadLettersPending, sides] = await Promise.all([
        Promise.all(partitions.all.map((p) => partitions.store(p).metrics())),
        readControlCounters(env.DB),
        deadLetters.pending(),
        readSideStore.list({ builtin: true }),
      ]);
      return metricFamilies({ partitions: parts, controlCounters, deadLettersPending, readSides: sides.map((s) => s.spec.id), now: Date.now() });
    },
  };
}

/** The ports of an EntityObject: its configuration, its partition's queue, its read sides' low-water mark, eskit's built-in handlers. */
export function entityPorts(env: Env): EntityPorts {
  return {
    config: () => loadConfig(env),
    builtins: eskitBuiltins,
    async publish(msg) {
      const { partitions } = servicesOf(env);
      const queue = eventQueues(env, partitions.count)[partitions.partitionOf(msg.entityId)] as Queue<unknown>;
      // v8: carried rows travel as bytes, without base64.
      await queue.send(msg, { contentType: "v8" });
    },
    async lowWater(entityId) {
      const { partitions } = servicesOf(env);
      return partitions.store(partitions.partitionOf(entityId)).lowWater(entityId);
    },
  };
}

/** The ports of a PartitionObject: the control plane's read side definitions and layouts, and the other partitions. */
export function partitionPorts(env: Env): PartitionPorts {
  const store = createReadSideStore(env.DB);
  const layouts = createLayoutStore(env.DB);
  return {
    loadReadSides: (): Promise<ReadSideRecord[]> => store.list({ builtin: true }),
    loadLayouts: (current) => layouts.history(current, Date.now()),
    peer: (p) => env.PARTITION.get(env.PARTITION.idFromName(partitionName(p))),
    legacy: createLegacyStore(env.DB),
    archive: archiveBucketOf(env),
    config: () => loadConfig(env),
  };
}

/** The LOG_ARCHIVE R2 bucket as the log's archive, when it is bound. */
function archiveBucketOf(env: Env): ArchiveBucket | undefined {
  const r2 = (env as { LOG_ARCHIVE?: R2Bucket }).LOG_ARCHIVE;
  if (r2 === undefined) return undefined;
  return {
    async put(key, body) {
      await r2.put(key, body, { httpMetadata: { contentType: "application/x-protobuf", contentEncoding: "gzip" } });
    },
    async get(key) {
      const o = await r2.get(key);
      return o === null ? undefined : new Uint8Array(await o.arrayBuffer());
    },
    async delete(keys) {
      if (keys.length > 0) await r2.delete(keys);
    },
  };
}

/** What the dead-letter consumer needs even while the configuration is invalid. */
export function deadLetterDeps(env: Env): { deadLetters: DeadLetterStore; partitions?: Partitions; context?: ReadSideContext } {
  try {
    const s = servicesOf(env);
    return { deadLetters: s.deadLetters, partitions: s.partitions, context: s.readSides };
  } catch {
    // An invalid configuration is reported by the start log and /healthz; dead letters need only D1.
    return { deadLetters: createDeadLetterStore(env.DB) };
  }
}
