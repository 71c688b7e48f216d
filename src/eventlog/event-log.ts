// The event log as the front door's APIs use it: validated reads across partitions and named consumers' positions.
import { StatehouseError } from "../errors.js";
import { formatLogPosition, parseLogPosition } from "./log-position.js";
import { type LogRequest, type ReadPage, readLog } from "./log-reader.js";
import type { PartitionLogs } from "./merged-log.js";
import type { ConsumerPosition, PositionStore } from "./position-store.js";

/** A consumer id: like a read side id, dots allowed (`billing.projector`). */
const CONSUMER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Positions one list returns at most. */
export const POSITIONS_PAGE_MAX = 1000;

/** Reads of the log and the consumer store; every failure is a StatehouseError with its code. */
export interface EventLog {
  /** How many partitions the log has (positions have that many components; one is today's offset). */
  readonly partitions: number;
  read(req: LogRequest): Promise<ReadPage>;
  /** Each partition's newest offset and oldest retained one. */
  bounds(): Promise<{ head: number[]; first: number[] }>;
  /** Stores the last position `consumerId` handled; a position past the head is out_of_range. */
  setPosition(consumerId: string, position: string): Promise<ConsumerPosition>;
  /** A stored position; not_found for a consumer that never stored one. */
  getPosition(consumerId: string): Promise<ConsumerPosition>;
  listPositions(after: string, limit: number | undefined): Promise<ConsumerPosition[]>;
}

/** An EventLog over the partitions' logs and the control plane's consumer positions. */
export function createEventLog(deps: { logs: PartitionLogs; positions: PositionStore }): EventLog {
  const { logs, positions } = deps;
  const bounds = async () => {
    const all = await Promise.all(Array.from({ length: logs.count }, (_, p) => logs.bounds(p)));
    return { head: all.map((b) => b.head), first: all.map((b) => b.first) };
  };
  return {
    partitions: logs.count,
    read: (req) => readLog(logs, req),
    bounds,
    async setPosition(consumerId, text) {
      checkConsumerId(consumerId);
      const position = parseLogPosition(text, logs.count, logs.count === 1 ? "offset" : "position");
      const { head } = await bounds();
      position.forEach((o, p) => {
        if (o > (head[p] ?? 0)) {
          const where = logs.count === 1 ? "" : ` in partition ${p}`;
          throw new StatehouseError("out_of_range", `offset ${o}${where} is beyond the head of the log (${head[p] ?? 0})`);
        }
      });
      return positions.set(consumerId, formatLogPosition(position), Date.now());
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
