// The head of an entity: its newest revision, state and meta, decoded and as stored.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { type Any, AnySchema } from "@bufbuild/protobuf/wkt";
import { type MetaData, MetaDataSchema } from "../gen/chief_of_state/v1/common_pb.js";
import type { JournalEntry } from "./journal/index.js";
import { emptyStateAny } from "../payload/index.js";

/** The newest revision of an entity with its state and meta, decoded and as the journal stores them. */
export interface Head {
  revision: number;
  state: Any;
  meta: MetaData;
  stateBytes: Uint8Array;
  metaBytes: Uint8Array;
}

/** The head of an entity with no events yet: revision 0, Empty state. */
export function emptyHead(entityId: string): Head {
  const state = emptyStateAny();
  const meta = create(MetaDataSchema, { entityId, revisionNumber: 0 });
  return { revision: 0, state, meta, stateBytes: toBinary(AnySchema, state), metaBytes: toBinary(MetaDataSchema, meta) };
}

/** The head the journal's newest row describes. */
export function headOfRow(row: Pick<JournalEntry, "revision" | "state" | "meta">): Head {
  return {
    revision: row.revision,
    state: fromBinary(AnySchema, row.state),
    meta: fromBinary(MetaDataSchema, row.meta),
    stateBytes: row.state,
    metaBytes: row.meta,
  };
}
