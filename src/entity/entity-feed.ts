// An entity's journal as a FeedSource: catch-up pages over RPC, live commits over a hibernatable WebSocket.
import { StatehouseError } from "../errors.js";
import type { JournalEntry } from "./journal/index.js";
import { type FeedSource, openHubSocket } from "../streams/index.js";
import type { EntityClient } from "./entity-client.js";
import type { EntityObject } from "./entity-object.js";
import { decodeFeedMessage, entrySize } from "./feed-broadcast.js";

/**
 * One entity's journal as a feed: catch-up pages through the readJournal RPC, live messages over
 * a hibernatable WebSocket to its EntityObject. A page that starts past the asked revision means
 * compaction deleted what the reader still needed: OUT_OF_RANGE, never a silent gap.
 */
export function createEntityFeedSource(
  ns: DurableObjectNamespace<EntityObject>,
  entities: EntityClient,
  entityId: string,
): FeedSource<JournalEntry> {
  const name = `entity ${entityId}`;
  return {
    name,
    positionName: "revision",
    position: (entry) => entry.revision,
    size: entrySize,
    async read(from, limit) {
      const page = await entities.readJournal(entityId, from, limit);
      const first = page.events[0]?.revision;
      if ((first !== undefined && first > from) || (first === undefined && from <= page.headRevision)) {
        throw new StatehouseError(
          "out_of_range",
          `revision ${from} of ${name} is no longer retained (compacted); the journal starts at revision ${page.firstRetainedRevision}`,
        );
      }
      const last = page.events.at(-1)?.revision;
      return { items: page.events, next: last === undefined ? from : last + 1, head: page.headRevision };
    },
    connect(handlers) {
      // A fresh stub each time: after an eviction the old stub keeps failing.
      const stub = ns.get(ns.idFromName(entityId));
      const url = `https://entity/feed?entity_id=${encodeURIComponent(entityId)}`;
      return openHubSocket(() => stub.fetch(url, { headers: { upgrade: "websocket" } }), decodeFeedMessage, handlers);
    },
  };
}
