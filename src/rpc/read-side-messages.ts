// statehouse.v1 read side messages to the manager's typed values and back; field masks become patches.
import { create, toJson } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { ONE_TARGET, READ_SIDE_DEFAULTS, type ReadSidePatch, type ReadSideSpec, invalidReadSide, requireReadSidePatch, requireReadSideSpec } from "../config/index.js";
import { StatehouseError } from "../errors.js";
import {
  type ReadSide,
  type ReadSideDefinition,
  ReadSideDefinitionSchema,
  ReadSideSchema,
  type UpdateReadSideRequest,
} from "../gen/statehouse/v1/read_sides_pb.js";
import type { ReadSideView } from "../readside/index.js";

type SpecOptions = { allowLocalHttp: boolean };

/** The spec a create request defines; unset fields take their defaults. Validated like the HTTP JSON form. */
export function specFromDefinition(def: ReadSideDefinition | undefined, opts: SpecOptions): ReadSideSpec {
  return requireReadSideSpec(definitionFields(def), opts);
}

/**
 * The read side an update request names and the patch its mask selects. A masked field that is
 * unset takes its default (a masked secret that is unset is removed; masked event_types, emptied);
 * masking url or binding replaces the target, so exactly one of the masked target fields must be set.
 */
export function patchFromUpdate(req: UpdateReadSideRequest, opts: SpecOptions): { id: string; patch: ReadSidePatch } {
  const fields = definitionFields(req.readSide);
  const id = String(fields.id ?? "");
  const paths = req.updateMask?.paths ?? [];
  if (id === "" || paths.length === 0) {
    throw new StatehouseError("invalid_argument", "read_side.id and update_mask (the fields to change) are required");
  }
  const patch: Record<string, unknown> = {};
  for (const path of paths) {
    if (path === "id" || !ReadSideDefinitionSchema.fields.some((f) => f.name === path)) {
      throw new StatehouseError("invalid_argument", `update_mask: unknown field ${path}`);
    }
    if (path === "url" || path === "binding") {
      if (fields[path] !== undefined) patch[path] = fields[path];
    } else if (path === "secret") {
      patch.secret = fields.secret ?? null;
    } else {
      patch[path] = fields[path] ?? READ_SIDE_DEFAULTS[path as keyof typeof READ_SIDE_DEFAULTS];
    }
  }
  const targetMasked = paths.includes("url") || paths.includes("binding");
  if (targetMasked && patch.url === undefined && patch.binding === undefined) throw invalidReadSide([ONE_TARGET]);
  return { id, patch: requireReadSidePatch(patch, opts) };
}

/** A read side as the Connect API answers it (the definition without its secret). */
export function readSideMessage(r: ReadSideView): ReadSide {
  const s = r.spec;
  return create(ReadSideSchema, {
    definition: {
      id: s.id,
      target: s.target.kind === "url" ? { case: "url", value: s.target.url } : { case: "binding", value: s.target.binding },
      protocol: s.protocol,
      timeoutMs: s.timeoutMs,
      policy: s.policy,
      retries: s.retries,
      backoffMs: s.backoffMs,
      enabled: s.enabled,
      eventTypes: s.eventTypes,
    },
    hasSecret: r.hasSecret,
    paused: r.paused,
    pausedShards: r.pausedShards,
    source: r.source,
    createdAt: timestampFromMs(r.createdAt),
    updatedAt: timestampFromMs(r.updatedAt),
  });
}

/** The definition's set fields by proto name, the names config's validator reads; "" counts as unset. */
function definitionFields(def: ReadSideDefinition | undefined): Record<string, unknown> {
  if (def === undefined) throw new StatehouseError("invalid_argument", "read_side is required");
  const json = toJson(ReadSideDefinitionSchema, def, { useProtoFieldName: true }) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(json).filter(([, v]) => v !== ""));
}
