// The event log as the front door's APIs use it: validated reads and named consumers' positions.
import { StatehouseError } from "../errors.js";
import { type LogRequest, readLog } from "./log-reader.js";
import { type LogPage, type LogStore, createLogStore } from "./log-store.js";
import { type ConsumerPosition, type PositionStore, createPositionStore } from "./position-store.js";

/** A consumer id: like a read side id, dots allowed (`billing.projector`). */
const CONSUMER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Positions one list returns at most. */
export const POSITIONS_PAGE_MAX = 1000;

/** Reads of the log and the consumer store; every failure is a StatehouseError with its code. */
export interface EventLog {
  read(req: LogRequest): Promise<LogPage>;
  /** Stores the last offset `consumerId` handled; an offset past the head is out_of_range. */
  setPosition(consumerId: string, offset: number): Promise<ConsumerPosition>;
  /** A stored position; not_found for a consumer that never stored one. */
  getPosition(consumerId: string): Promise<ConsumerPosition>;
  listPositions(after: string, limit: number | undefined): Promise<ConsumerPosition[]>;
}

/** An EventLog over D1. */
export function createEventLog(db: D1Database, stores: { log?: LogStore; positions?: PositionStore } = {}): EventLog {
  const log = stores.log ?? createLogStore(db);
  const positions = stores.positions ?? createPositionStore(db);
  return {
    read: (req) => readLog(log, req),
    async setPosition(consumerId, offset) {
      checkConsumerId(consumerId);
      if (!Number.isSafeInteger(offset) || offset < 0) throw new StatehouseError("invalid_argument", "offset must be a whole number (a log offset)");
      const head = await log.head();
      if (offset > head) throw new StatehouseError("out_of_range", `offset ${offset} is beyond the head of the log (${head})`);
      return positions.set(consumerId, offset, Date.now());
    },
    async getPosition(consumerId) {
      checkConsumerId(consumerId);
      const p = await positions.get(consumerId);
      if (p === undefined) throw new StatehouseError("not_found", `consumer ${consumerId} has stored no position`);
      return p;
    },
    listPositions(after, limit) {
      const n = limit === undefined || limit === 0 ? 100 : limit;
      if (!Number.isInteger(n) || n < 1 || n > POSITIONS_PAGE_MAX) {
        throw new StatehouseError("invalid_argument", `limit must be a whole number from 1 to ${POSITIONS_PAGE_MAX}`);
      }
      return positions.list(after, n);
    },
  };
}

function checkConsumerId(id: string): void {
  if (id === "") throw new StatehouseError("invalid_argument", "consumer_id is required");
  if (!CONSUMER_ID.test(id)) {
    throw new StatehouseError("invalid_argument", "consumer_id must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit");
  }
}
