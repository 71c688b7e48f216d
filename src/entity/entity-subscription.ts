// Subscribe to one entity: check where to start, register for Unsubscribe, then follow its feed.
import { create } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import { type MetaData, MetaDataSchema } from "../gen/chief_of_state/v1/common_pb.js";
import { StatehouseError } from "../errors.js";
import { emptyStateAny } from "../payload/index.js";
import { type SubscriptionObject, followFeed, unsubscribe, watchUnsubscribe } from "../streams/index.js";
import { type EntityClient, decodeJournalEntry } from "./entity-client.js";
import { createEntityFeedSource } from "./entity-feed.js";
import type { EntityObject } from "./entity-object.js";

/** One streamed message: an event with the state it produced, or (event undefined) the starting state. */
export interface SubscriptionItem {
  revision: number;
  event: Any | undefined;
  state: Any;
  meta: MetaData;
}

/** What a subscription asks for. */
export interface EntitySubscriptionRequest {
  entityId: string;
  subscriptionId: string;
  /** First revision wanted (inclusive); 0 means only events committed from now on. */
  from: number;
  /** Send the state the first event applies to, before any event. */
  includeState: boolean;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

/** An open subscription's items, and where its events start. */
export interface SubscriptionStream extends AsyncIterable<SubscriptionItem> {
  /** The first revision the stream sends an event for; everything before it is, for this client, already seen. */
  readonly from: number;
}

/** Opens subscriptions to entities and ends them by subscription id. */
export interface EntitySubscriptions {
  /**
   * Checks the request (throwing INVALID_ARGUMENT / OUT_OF_RANGE before anything is streamed),
   * registers the subscription id, and returns the stream: ends cleanly on Unsubscribe or abort.
   */
  open(req: EntitySubscriptionRequest): Promise<SubscriptionStream>;
  /** Ends every stream with this subscription id; answers even when none exists. */
  unsubscribe(subscriptionId: string): Promise<number>;
}

/** EntitySubscriptions over the ENTITY and SUBSCRIPTION namespaces. */
export function createEntitySubscriptions(deps: {
  entities: EntityClient;
  entityNs: DurableObjectNamespace<EntityObject>;
  subscriptionNs: DurableObjectNamespace<SubscriptionObject>;
}): EntitySubscriptions {
  return {
    async open(req) {
      if (req.entityId === "") throw new StatehouseError("invalid_argument", "entity_id is required");
      const start = await startOf(deps.entities, req);
      const watch = await watchUnsubscribe(deps.subscriptionNs, req.subscriptionId);
      // Also when the stream is never read (the response failed before its first pull).
      req.signal.addEventListener("abort", () => watch.close(), { once: true });
      const source = createEntityFeedSource(deps.entityNs, deps.entities, req.entityId);
      const items = (async function* () {
        try {
          if (start.state !== undefined) yield start.state;
          for await (const entry of followFeed(source, { from: start.next, signal: req.signal, until: watch.unsubscribed })) {
            yield { revision: entry.revision, ...decodeJournalEntry(entry) };
          }
        } finally {
          watch.close();
        }
      })();
      return { from: start.next, [Symbol.asyncIterator]: () => items };
    },
    unsubscribe(subscriptionId) {
      if (subscriptionId === "") throw new StatehouseError("invalid_argument", "subscription_id is required");
      return unsubscribe(deps.subscriptionNs, subscriptionId);
    },
  };
}

/** The first revision to stream, and the starting state when asked for. */
async function startOf(entities: EntityClient, req: EntitySubscriptionRequest): Promise<{ next: number; state?: SubscriptionItem }> {
  const { entityId, from } = req;
  if (from === 0) {
    if (!req.includeState) return { next: (await entities.headRevision(entityId)) + 1 };
    const state = await stateAt(entities, entityId, undefined);
    return { next: state.revision + 1, state };
  }
  const page = await entities.readJournal(entityId, from, 1);
  if (from > page.headRevision + 1) {
    throw new StatehouseError(
      "out_of_range",
      `from revision ${from} is beyond the head of entity ${entityId}: it is at revision ${page.headRevision}, so the next event will be revision ${page.headRevision + 1}`,
    );
  }
  if (page.firstRetainedRevision > 0 && from < page.firstRetainedRevision) {
    throw new StatehouseError(
      "out_of_range",
      `from revision ${from} of entity ${entityId} is no longer retained: the journal starts at revision ${page.firstRetainedRevision} (older events were compacted)`,
    );
  }
  if (!req.includeState) return { next: from };
  try {
    return { next: from, state: await stateAt(entities, entityId, from - 1) };
  } catch (cause) {
    // The entity exists, but compaction deleted the state the first event applies to: a range problem, not NOT_FOUND.
    if (!(cause instanceof StatehouseError && cause.code === "not_found")) throw cause;
    throw new StatehouseError(
      "out_of_range",
      `from revision ${from} of entity ${entityId} with its starting state needs the state at revision ${from - 1}, which compaction deleted: the journal starts at revision ${page.firstRetainedRevision}; ask for from revision ${page.firstRetainedRevision + 1} or later with the state, or without it`,
      [],
      { cause },
    );
  }
}

/** The state right after `revision` (the head when undefined); a new entity's empty state at 0. */
async function stateAt(entities: EntityClient, entityId: string, revision: number | undefined): Promise<SubscriptionItem> {
  if (revision !== 0) {
    try {
      const s = await entities.getState(entityId, revision);
      return { revision: s.meta.revisionNumber, event: undefined, state: s.state, meta: s.meta };
    } catch (cause) {
      if (!(revision === undefined && cause instanceof StatehouseError && cause.code === "not_found")) throw cause;
    }
  }
  return { revision: 0, event: undefined, state: emptyStateAny(), meta: create(MetaDataSchema, { entityId, revisionNumber: 0 }) };
}
