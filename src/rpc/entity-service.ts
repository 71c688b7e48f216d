// statehouse.v1.EntityService: commands with expected revision and idempotency, past states, journal pages.
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { GetStateResponseSchema, ProcessCommandResponseSchema } from "../gen/chief_of_state/v1/service_pb.js";
import { type EntityService, JournalEventSchema, ReadJournalResponseSchema } from "../gen/statehouse/v1/entity_pb.js";
import { decodeJournalEntry } from "../entity/index.js";
import { buildCommandInput, journalLimit, readCommand } from "../input/index.js";
import { requestValues } from "./request-values.js";
import { isJsonRequest } from "./rpc-helpers.js";

/** The EntityService implementation over the request's entity client (see request-values.ts). */
export function entityService(): ServiceImpl<typeof EntityService> {
  return {
    async processCommand(req, ctx) {
      const { entities, config } = requestValues(ctx);
      const command = readCommand({ form: "message", any: req.command });
      const options = { in: "fields", expectedRevision: req.expectedRevision, idempotencyKey: req.idempotencyKey } as const;
      const input = buildCommandInput(
        { entityId: req.entityId, command, headers: ctx.requestHeader, options, json: isJsonRequest(ctx) },
        config,
      );
      const reply = await entities.processCommand(input);
      return create(ProcessCommandResponseSchema, reply);
    },
    async getState(req, ctx) {
      return create(GetStateResponseSchema, await requestValues(ctx).entities.getState(req.entityId, req.revision));
    },
    async readJournal(req, ctx) {
      const limit = journalLimit(req.limit);
      const page = await requestValues(ctx).entities.readJournal(req.entityId, req.fromRevision || 1, limit);
      return create(ReadJournalResponseSchema, {
        events: page.events.map((e) => {
          const { event, state, meta } = decodeJournalEntry(e);
          return create(JournalEventSchema, { event, resultingState: state, meta });
        }),
        nextFromRevision: page.nextFromRevision,
        headRevision: page.headRevision,
        firstRetainedRevision: page.firstRetainedRevision,
      });
    },
  };
}
