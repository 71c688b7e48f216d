// statehouse.v1.ReadSideAdminService: create, update, get, list and delete read side definitions.
import { create, toJson } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { specToInput } from "../config/index.js";
import type { ReadSideRecord } from "../cursors/index.js";
import { StatehouseError } from "../errors.js";
import {
  type ReadSide,
  type ReadSideAdminService,
  type ReadSideDefinition,
  ReadSideDefinitionSchema,
  ReadSideSchema,
} from "../gen/statehouse/v1/read_sides_pb.js";
import { requestValues } from "./request-values.js";

/**
 * The Connect form of the admin API's definitions; same validation and errors as the HTTP JSON form.
 * The manager is the request's (see request-values.ts).
 */
export function readSideAdminService(): ServiceImpl<typeof ReadSideAdminService> {
  const manager = (ctx: HandlerContext) => requestValues(ctx).readSides;
  return {
    createReadSide: async (req, ctx) => toMessage(await manager(ctx).create(toInput(req.readSide))),
    updateReadSide: async (req, ctx) => {
      const input = toInput(req.readSide);
      const id = String(input.id ?? "");
      const paths = req.updateMask?.paths ?? [];
      if (id === "" || paths.length === 0) {
        throw new StatehouseError("invalid_argument", "read_side.id and update_mask (the fields to change) are required");
      }
      const patch: Record<string, unknown> = {};
      for (const path of paths) {
        if (path === "id" || !ReadSideDefinitionSchema.fields.some((f) => f.name === path)) {
          throw new StatehouseError("invalid_argument", `update_mask: unknown field ${path}`);
        }
        patch[path] = path === "secret" && input.secret === undefined ? null : (input[path] ?? (path === "event_types" ? [] : undefined));
      }
      return toMessage(await manager(ctx).update(id, patch));
    },
    getReadSide: async (req, ctx) => toMessage(await manager(ctx).get(req.readSideId)),
    listReadSides: async (_req, ctx) => ({ readSides: (await manager(ctx).list()).map(toMessage) }),
    deleteReadSide: async (req, ctx) => {
      await manager(ctx).remove(req.readSideId);
      return {};
    },
  };
}

/** The definition as the admin API's JSON input: unset fields are left out so defaults apply. */
function toInput(def: ReadSideDefinition | undefined): Record<string, unknown> {
  if (def === undefined) throw new StatehouseError("invalid_argument", "read_side is required");
  const json = toJson(ReadSideDefinitionSchema, def, { useProtoFieldName: true }) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(json).filter(([, v]) => v !== ""));
}

function toMessage(r: ReadSideRecord): ReadSide {
  const input = specToInput(r.spec);
  return create(ReadSideSchema, {
    definition: {
      id: input.id,
      target: r.spec.target.kind === "url" ? { case: "url", value: r.spec.target.url } : { case: "binding", value: r.spec.target.binding },
      protocol: input.protocol,
      timeoutMs: input.timeout_ms,
      policy: input.policy,
      retries: input.retries,
      backoffMs: input.backoff_ms,
      enabled: input.enabled,
      eventTypes: input.event_types,
    },
    hasSecret: r.spec.secret !== undefined,
    paused: r.paused,
    pausedShards: r.pausedShards,
    source: r.source,
    createdAt: timestampFromMs(r.createdAt),
    updatedAt: timestampFromMs(r.updatedAt),
  });
}
