// A folded event as the journal row it becomes, within SQLite's row limit.
import { toBinary } from "@bufbuild/protobuf";
import { type Any, AnySchema } from "@bufbuild/protobuf/wkt";
import { type MetaData, MetaDataSchema } from "../gen/chief_of_state/v1/common_pb.js";
import { StatehouseError } from "../errors.js";
import type { JournalEntry } from "./journal/index.js";

/** Largest journal row (event + state + meta): SQLite in a Durable Object caps a row at 2 MB. */
export const MAX_ROW_BYTES = 2_000_000;

/** The journal row of one folded event; resource_exhausted when it would pass MAX_ROW_BYTES. */
export function toJournalRow(event: Any, state: Any, meta: MetaData): JournalEntry {
  const row = {
    revision: meta.revisionNumber,
    event: toBinary(AnySchema, event),
    state: toBinary(AnySchema, state),
    meta: toBinary(MetaDataSchema, meta),
  };
  const size = row.event.byteLength + row.state.byteLength + row.meta.byteLength;
  if (size > MAX_ROW_BYTES) {
    throw new StatehouseError(
      "resource_exhausted",
      `revision ${row.revision} would store ${size} bytes (event, state and meta); the limit per journal row is ${MAX_ROW_BYTES}`,
    );
  }
  return row;
}
