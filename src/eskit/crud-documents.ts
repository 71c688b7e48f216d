// eskit's CRUD store over Statehouse: documents as entities folded by the built-in eskit-crud handler, read at any version, listed by type.
import { type JsonObject, create, fromBinary } from "@bufbuild/protobuf";
import { type Any, anyIs, anyPack } from "@bufbuild/protobuf/wkt";
import mergePatch from "json-merge-patch";
import { StatehouseError } from "../errors.js";
import { CreateRequestSchema, DeleteRequestSchema, UpdateRequestSchema } from "../gen/contracts/crudstore/service_pb.js";
import { type EntityClient, type EntityState, decodeJournalEntry, entityIdProblem } from "../entity/index.js";
import { unpackDocState } from "./crud-handler.js";
import { type DocIndex, type DocKey, checkEntityType, crudEntityId } from "./store/index.js";
import { EventSchema } from "../gen/contracts/eventstore/event_pb.js";
import { MAX_JSON_DEPTH, checkJsonDepth, jsonDepth } from "../payload/index.js";
import { parseDecimal } from "./decimal.js";
import type { CrudTypes } from "./crud-types.js";

/** Event bytes one history answer may hold. */
export const HISTORY_MAX_BYTES = 16 * 1024 * 1024;
/** Times a PUT or PATCH without If-Match is made again from a newer head before it gives up (aborted). */
export const HEAD_WRITE_ATTEMPTS = 20;
/** Documents List returns when `limit` is 0 (eskit's default) and at most. */
export const LIST_DEFAULT_LIMIT = 10;
export const LIST_MAX_LIMIT = 100;

/**
 * Levels a document may nest: its state holds it one object deeper ({"entity_type", "deleted",
 * "document"}), and that state must stay within MAX_JSON_DEPTH to be read back.
 */
export const MAX_DOCUMENT_DEPTH = MAX_JSON_DEPTH - 1;

/**
 * An If-Match precondition: a version ("3"), or "*" — any current version (RFC 9110): the
 * document must exist and not be deleted.
 */
export type IfMatch = number | "*";

/** An originator as eskit's requests carry it: the document's id and a version ("" when not given). */
export type OriginatorRef = { id: string; version: string };

/** A document at one version. */
export interface DocVersion {
  originator: { id: string; version: string };
  document: JsonObject;
  deleted: boolean;
}

/** One event of a document's history. */
export interface DocHistoryItem {
  version: number;
  eventType: string;
  /** The whole document (Created), the merge patch (Updated) or {} (Deleted). */
  payload: JsonObject;
  occuredOn: number;
}

/**
 * Commits a CRUD command to a document's entity (the caller adds request headers and options);
 * with `expectedRevision`, only while the entity is at that revision (else aborted).
 */
export type CommitCrudCommand = (entityId: string, command: Any, expectedRevision?: number) => Promise<EntityState>;

/** What the CRUD store needs. */
export interface CrudDocumentsDeps {
  entities: EntityClient;
  index: DocIndex;
  types: CrudTypes;
  commit: CommitCrudCommand;
}

/** The CRUD store's operations; every failure is a StatehouseError with eskit's code. */
export interface CrudDocuments {
  create(entityType: string, originator: OriginatorRef | undefined, payload: string): Promise<{ id: string; version: string }>;
  update(entityType: string, originator: OriginatorRef | undefined, payload: string): Promise<{ id: string; version: string }>;
  /**
   * Deletes the document at its head; with `ifMatch`, only while it is at that version (else
   * failed_precondition; "*" only while it exists).
   */
  delete(entityType: string, originator: OriginatorRef | undefined, ifMatch?: IfMatch): Promise<{ id: string; version: string }>;
  get(entityType: string, originator: OriginatorRef | undefined, deleted: boolean): Promise<DocVersion>;
  list(entityType: string, after: string, limit: number): Promise<{ items: DocVersion[]; nextPageId: string }>;
  history(entityType: string, docId: string): Promise<DocHistoryItem[]>;
  /**
   * Creates or replaces a document. With `ifMatch`, only the document at that version (or, for
   * "*", at any version) is replaced, else failed_precondition; without, a missing or deleted
   * document is created (a deleted one at its next version) and a live one replaced at its head.
   */
  put(entityType: string, docId: string, document: JsonObject, ifMatch?: IfMatch): Promise<{ id: string; version: string; created: boolean }>;
  /** Applies an RFC 7396 merge patch to the head (which must match `ifMatch` when given) and stores the result as an Update. */
  patch(entityType: string, docId: string, patch: JsonObject, ifMatch?: IfMatch): Promise<{ id: string; version: string; document: JsonObject }>;
}

/**
 * Parses a payload: malformed JSON, JSON that is not an object (the documents are JSON objects, as
 * merge patches need), or one nested deeper than MAX_DOCUMENT_DEPTH is invalid_argument.
 */
export function parseDocument(payload: string): JsonObject {
  if (payload === "") throw new StatehouseError("invalid_argument", "missing payload");
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    throw new StatehouseError("invalid_argument", "payload is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new StatehouseError("invalid_argument", "payload must be a JSON object");
  }
  checkDocumentDepth(value, "the document");
  return value as JsonObject;
}

/** Refuses a document (or a merge patch, which nests at least as deep as what it makes) past MAX_DOCUMENT_DEPTH. */
function checkDocumentDepth(value: unknown, what: string): void {
  checkJsonDepth(jsonDepth(value, MAX_DOCUMENT_DEPTH), what, MAX_DOCUMENT_DEPTH);
}

/** Checks a type and an originator id and returns the document's key and entity id. */
function docTarget(entityType: string, docId: string | undefined): { key: DocKey; entityId: string } {
  checkEntityType(entityType);
  if (docId === undefined || docId === "") throw new StatehouseError("invalid_argument", "missing originator id");
  const problem = entityIdProblem(docId);
  if (problem !== undefined) throw new StatehouseError("invalid_argument", `originator id: ${problem}`);
  const key = { entityType, docId };
  const entityId = crudEntityId(key);
  const whole = entityIdProblem(entityId);
  if (whole !== undefined) throw new StatehouseError("invalid_argument", `originator id is too long for entity type ${entityType}: ${whole}`);
  return { key, entityId };
}

const originatorOf = (s: EntityState, docId: string) => ({ id: docId, version: String(s.meta.revisionNumber) });

/** The CRUD store over `deps`. */
export function createCrudDocuments(deps: CrudDocumentsDeps): CrudDocuments {
  const read = async (entityType: string, docId: string, version: number | undefined): Promise<DocVersion> => {
    const { entityId } = docTarget(entityType, docId);
    let s: EntityState;
    try {
      s = await deps.entities.getState(entityId, version);
    } catch (cause) {
      const err = StatehouseError.from(cause);
      // eskit answers a version past the head, as a missing document, with NOT_FOUND.
      if (err.code === "out_of_range") throw new StatehouseError("not_found", `not found: ${err.message}`);
      throw err;
    }
    const doc = unpackDocState(s.state);
    if (doc === undefined) throw new StatehouseError("not_found", `not found: ${entityType} ${docId}`);
    return { originator: originatorOf(s, docId), document: doc.document, deleted: doc.deleted };
  };
  const replace = async (entityType: string, docId: string, document: JsonObject, readAt: number, ifMatch: IfMatch | undefined) => {
    if (typeof ifMatch === "number" && ifMatch !== readAt) {
      throw new StatehouseError("failed_precondition", `${entityType} ${docId} is at version ${readAt}, not ${ifMatch}`);
    }
    try {
      return await store.update(entityType, { id: docId, version: String(readAt) }, JSON.stringify(document));
    } catch (cause) {
      const err = StatehouseError.from(cause);
      if (err.code === "already_exists" && typeof ifMatch === "number") throw new StatehouseError("failed_precondition", err.message);
      throw err;
    }
  };
  /** The live head; for If-Match: * a missing or deleted document fails the precondition. */
  const liveHead = async (entityType: string, docId: string, ifMatch: IfMatch | undefined) => {
    try {
      return await store.get(entityType, { id: docId, version: "" }, false);
    } catch (cause) {
      const err = StatehouseError.from(cause);
      if (err.code === "not_found" && ifMatch === "*") throw new StatehouseError("failed_precondition", `If-Match: * needs a current version: ${err.message}`);
      throw err;
    }
  };
  /** Retries a write that lost the race for the version it read, while no version was asked for. */
  const untilItApplies = async <T>(entityType: string, docId: string, ifMatch: IfMatch | undefined, write: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (cause) {
        const err = StatehouseError.from(cause);
        if (err.code !== "already_exists" || typeof ifMatch === "number") throw err;
        if (attempt === HEAD_WRITE_ATTEMPTS) {
          throw new StatehouseError("aborted", `${entityType} ${docId} changed ${attempt} times while this write applied; try again`);
        }
      }
    }
  };
  /**
   * Replaces the head with `make(head)`. With a numeric `ifMatch` the head must be that version.
   * Otherwise nothing was asked of the version, so a write that loses the race for it (another
   * took it meanwhile: already_exists) is made again from the new head, up to HEAD_WRITE_ATTEMPTS times.
   */
  const replaceAtHead = (entityType: string, docId: string, make: (head: DocVersion) => JsonObject, ifMatch: IfMatch | undefined) =>
    untilItApplies(entityType, docId, ifMatch, async () => {
      const head = await liveHead(entityType, docId, ifMatch);
      const document = make(head);
      return { ...(await replace(entityType, docId, document, Number(head.originator.version), ifMatch)), document };
    });
  /** Commits `<Type>.Created` at `version`: 1, or the version after a deleted document's Deleted. */
  const createAt = async (entityType: string, docId: string, document: JsonObject, version: number) => {
    const { entityId } = docTarget(entityType, docId);
    await deps.types.validate(entityType, document);
    const payload = JSON.stringify(document);
    const command = create(CreateRequestSchema, { entityType, originator: { id: docId, version: String(version) }, payload });
    return originatorOf(await deps.commit(entityId, anyPack(CreateRequestSchema, command)), docId);
  };
  /** The head, deleted or not; undefined for a document that never existed. */
  const readOrMissing = async (entityType: string, docId: string): Promise<DocVersion | undefined> => {
    try {
      return await read(entityType, docId, undefined);
    } catch (cause) {
      const err = StatehouseError.from(cause);
      if (err.code === "not_found") return undefined;
      throw err;
    }
  };
  const store: CrudDocuments = {
    async create(entityType, originator, payload) {
      checkEntityType(entityType);
      const document = parseDocument(payload);
      const docId = originator === undefined || originator.id === "" ? crypto.randomUUID() : originator.id;
      const version = parseDecimal(originator?.version ?? "", "originator.version");
      if (version !== undefined && version !== 1) throw new StatehouseError("invalid_argument", "a document is created at version 1");
      return createAt(entityType, docId, document, 1);
    },
    async update(entityType, originator, payload) {
      const { entityId } = docTarget(entityType, originator?.id);
      const document = parseDocument(payload);
      const version = parseDecimal(originator?.version ?? "", "originator.version");
      if (version === undefined) throw new StatehouseError("invalid_argument", "missing originator version");
      await deps.types.validate(entityType, document);
      const command = create(UpdateRequestSchema, { entityType, originator: { id: originator?.id ?? "", version: String(version) }, payload });
      return originatorOf(await deps.commit(entityId, anyPack(UpdateRequestSchema, command)), originator?.id ?? "");
    },
    async delete(entityType, originator, ifMatch) {
      const { entityId } = docTarget(entityType, originator?.id);
      const command = create(DeleteRequestSchema, { entityType, originator: { id: originator?.id ?? "" } });
      const expected = typeof ifMatch === "number" ? ifMatch : undefined;
      try {
        // eskit's Delete ignores originator.version; If-Match is checked in the entity's queue, atomically.
        return originatorOf(await deps.commit(entityId, anyPack(DeleteRequestSchema, command), expected), originator?.id ?? "");
      } catch (cause) {
        const err = StatehouseError.from(cause);
        if (err.code === "aborted" && expected !== undefined) throw new StatehouseError("failed_precondition", err.message);
        if (err.code === "not_found" && ifMatch === "*") throw new StatehouseError("failed_precondition", `If-Match: * needs a current version: ${err.message}`);
        throw err;
      }
    },
    async get(entityType, originator, deleted) {
      const version = parseDecimal(originator?.version ?? "", "originator.version");
      const doc = await read(entityType, originator?.id ?? "", version === 0 ? undefined : version);
      if (doc.deleted && !deleted) throw new StatehouseError("not_found", `not found: ${entityType} ${doc.originator.id} is deleted`);
      return doc;
    },
    async list(entityType, after, limit) {
      checkEntityType(entityType);
      const size = limit === 0 ? LIST_DEFAULT_LIMIT : Math.min(limit, LIST_MAX_LIMIT);
      const page = await deps.index.list(entityType, after, size + 1);
      const more = page.length > size;
      const listed = page.slice(0, size);
      // The index lags the journal as the log does: each document is read at its head, and one
      // deleted since the index last heard of it is left out.
      const docs = await Promise.all(listed.map((d) => read(entityType, d.docId, undefined)));
      return { items: docs.filter((d) => !d.deleted), nextPageId: more ? (listed.at(-1)?.docId ?? "") : "" };
    },
    async history(entityType, docId) {
      const { entityId } = docTarget(entityType, docId);
      const items: DocHistoryItem[] = [];
      let bytes = 0;
      for (let from = 1; from !== 0; ) {
        const page = await deps.entities.readJournal(entityId, from, 1000);
        for (const row of page.events) {
          bytes += row.event.byteLength;
          if (bytes > HISTORY_MAX_BYTES) throw new StatehouseError("resource_exhausted", `the history of ${entityType} ${docId} passes ${HISTORY_MAX_BYTES} bytes`);
          const { event } = decodeJournalEntry(row);
          if (!anyIs(event, EventSchema)) continue;
          const e = fromBinary(EventSchema, event.value);
          items.push({ version: row.revision, eventType: e.eventType, payload: JSON.parse(e.payload) as JsonObject, occuredOn: Number(e.occuredOn) });
        }
        from = page.nextFromRevision;
      }
      if (items.length === 0) throw new StatehouseError("not_found", `not found: ${entityType} ${docId}`);
      return items;
    },
    async put(entityType, docId, document, ifMatch) {
      checkDocumentDepth(document, "the document");
      if (ifMatch !== undefined) {
        const done = await replaceAtHead(entityType, docId, () => document, ifMatch);
        return { id: done.id, version: done.version, created: false };
      }
      return untilItApplies(entityType, docId, ifMatch, async () => {
        const head = await readOrMissing(entityType, docId);
        if (head !== undefined && !head.deleted) {
          return { ...(await replace(entityType, docId, document, Number(head.originator.version), undefined)), created: false };
        }
        // "Creates or replaces": a deleted document is created again, at the version after its Deleted.
        const version = head === undefined ? 1 : Number(head.originator.version) + 1;
        return { ...(await createAt(entityType, docId, document, version)), created: true };
      });
    },
    async patch(entityType, docId, patch, ifMatch) {
      checkDocumentDepth(patch, "the merge patch");
      return replaceAtHead(entityType, docId, (head) => mergePatch.apply(structuredClone(head.document), patch) as JsonObject, ifMatch);
    },
  };
  return store;
}
