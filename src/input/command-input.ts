// Turns any front door's command request (Connect message, CoS gateway, friendly JSON) into the one typed CommandInput.
import { toBinary } from "@bufbuild/protobuf";
import { type Any, AnySchema } from "@bufbuild/protobuf/wkt";
import type { Config } from "../config/index.js";
import type { CommandInput } from "../entity/index.js";
import { StatehouseError } from "../errors.js";
import { anyFromBase64, anyFromFriendlyJson, anyJsonDepth, checkJsonDepth, typeRegistry } from "../payload/index.js";
import { optionsFromHeaders, parseIdempotencyKey, parseUint32, pickHeaders } from "./request-options.js";

/** A command as a front door received it, before it is checked and decoded. */
export type CommandPayload =
  /** The `command` field of a ProcessCommand message (ChiefOfStateService, EntityService). */
  | { form: "message"; any: Any | undefined }
  /** A base64 serialized Any in a JSON body (the CoS HTTP gateway). */
  | { form: "base64"; value: unknown }
  /** A plain JSON object, with or without "@type" (the friendly JSON API). */
  | { form: "friendly-json"; value: unknown };

/** Where a request carries its expected revision and idempotency key. */
export type CommandOptions =
  /** The statehouse-expected-revision and idempotency-key headers (bodies with no room for them). */
  | { in: "headers" }
  /** Fields of the request message or JSON body, named expected_revision and idempotency_key. */
  | { in: "fields"; expectedRevision: unknown; idempotencyKey: unknown };

/** Everything a front door knows about a command request, once its command is decoded. */
export interface CommandRequest {
  entityId: string;
  /** The command, decoded, or as the serialized Any it arrived in (then it is passed on as is). */
  command: Any | Uint8Array;
  headers: Headers;
  options: CommandOptions;
  /** The caller answers in Connect JSON, so the resulting state's type must be in the registry. */
  json?: boolean;
}

/**
 * Checks and decodes a command in any front door's form; a missing or malformed one is
 * invalid_argument, and so is a Struct command nested deeper than the handler's codec reads.
 */
export function readCommand(payload: CommandPayload): Any {
  switch (payload.form) {
    case "message":
      if (payload.any === undefined || payload.any.typeUrl === "") throw missingCommand();
      return checkedDepth(payload.any);
    case "base64":
      if (payload.value === undefined || payload.value === null || payload.value === "") throw missingCommand();
      return checkedDepth(anyFromBase64(payload.value, "command"));
    case "friendly-json":
      if (payload.value === undefined) throw missingCommand();
      return anyFromFriendlyJson(payload.value, typeRegistry(), "command");
  }
}

/**
 * The entity's CommandInput for a request: the command serialized, the allow-listed headers picked,
 * the expected revision and idempotency key validated wherever this front door carries them.
 */
export function buildCommandInput(req: CommandRequest, config: Config): CommandInput {
  const options =
    req.options.in === "headers"
      ? optionsFromHeaders(req.headers)
      : {
          expectedRevision: parseUint32(req.options.expectedRevision, "expected_revision"),
          idempotencyKey: parseIdempotencyKey(req.options.idempotencyKey, "idempotency_key"),
        };
  return {
    entityId: req.entityId,
    command: req.command instanceof Uint8Array ? req.command : toBinary(AnySchema, req.command),
    ...pickHeaders(req.headers, config),
    ...options,
    requireJsonTypes: req.json,
  };
}

function checkedDepth(command: Any): Any {
  checkJsonDepth(anyJsonDepth(command), "command");
  return command;
}

function missingCommand(): StatehouseError {
  return new StatehouseError("invalid_argument", "missing command");
}
