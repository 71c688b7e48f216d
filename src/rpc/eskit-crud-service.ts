// contracts.crudstore.CrudStoreService (eskit): documents through the built-in eskit-crud handler, and the type registry.
import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { CrudEntitySpecSchema } from "../gen/contracts/crudstore/schema_pb.js";
import {
  CreateResponseSchema,
  type CrudStoreService,
  DeleteResponseSchema,
  GetResponseSchema,
  GetTypeResponseSchema,
  HealthResponseSchema,
  ListResponseSchema,
  ListTypesResponseSchema,
  RegisterTypeResponseSchema,
  UpdateResponseSchema,
  UpdateTypeResponseSchema,
} from "../gen/contracts/crudstore/service_pb.js";
import type { CrudType } from "../eskit/store/index.js";
import { createRequestCrudStore } from "../eskit/index.js";
import { requestValues } from "./request-values.js";

const documentsOf = (ctx: HandlerContext) => createRequestCrudStore(requestValues(ctx), ctx.requestHeader);

const specOf = (t: CrudType) =>
  create(CrudEntitySpecSchema, { entityType: t.entityType, schemaSpec: { schemaVersion: BigInt(t.schemaVersion), jsonSchema: t.jsonSchema } });

/** eskit's CrudStoreService: documents as entities whose events are `<Type>.Created`, `.Updated` (merge patch) and `.Deleted`. */
export function eskitCrudService(): ServiceImpl<typeof CrudStoreService> {
  return {
    healtz: () => create(HealthResponseSchema, { message: "OK" }),
    async create(req, ctx) {
      const originator = await documentsOf(ctx).docs.create(req.entityType, req.originator, req.payload);
      return create(CreateResponseSchema, { originator });
    },
    async update(req, ctx) {
      const originator = await documentsOf(ctx).docs.update(req.entityType, req.originator, req.payload);
      return create(UpdateResponseSchema, { originator });
    },
    async delete(req, ctx) {
      return create(DeleteResponseSchema, { originator: await documentsOf(ctx).docs.delete(req.entityType, req.originator) });
    },
    async get(req, ctx) {
      const doc = await documentsOf(ctx).docs.get(req.entityType, req.originator, req.deleted);
      return create(GetResponseSchema, { originator: doc.originator, payload: JSON.stringify(doc.document) });
    },
    async list(req, ctx) {
      const page = await documentsOf(ctx).docs.list(req.entityType, req.paginationId, req.limit);
      return create(ListResponseSchema, {
        results: page.items.map((d) => ({
          entityType: req.entityType,
          originator: d.originator,
          payload: req.skipPayload ? "" : JSON.stringify(d.document),
        })),
        nextPageId: page.nextPageId,
      });
    },
    async registerType(req, ctx) {
      await documentsOf(ctx).types.register(req.spec, req.skipDuplicate);
      return create(RegisterTypeResponseSchema);
    },
    async getType(req, ctx) {
      return create(GetTypeResponseSchema, { spec: specOf(await documentsOf(ctx).types.get(req.entityType)) });
    },
    async updateType(req, ctx) {
      await documentsOf(ctx).types.update(req.spec);
      return create(UpdateTypeResponseSchema);
    },
    async listTypes(req, ctx) {
      return create(ListTypesResponseSchema, { results: (await documentsOf(ctx).types.list(req.limit)).map(specOf) });
    },
  };
}
