// What the command-taking Connect services share: command encoding and the JSON-ness of a request.
import { toBinary } from "@bufbuild/protobuf";
import { type Any, AnySchema } from "@bufbuild/protobuf/wkt";
import type { HandlerContext } from "@connectrpc/connect";
import { StatehouseError } from "../errors.js";

/** Serializes the command; a missing one is invalid_argument before anything runs. */
export function serializeCommand(command: Any | undefined): Uint8Array {
  if (command === undefined || command.typeUrl === "") {
    throw new StatehouseError("invalid_argument", "missing command");
  }
  return toBinary(AnySchema, command);
}

/** Whether the request came in Connect JSON (so the answer must render as JSON too). */
export function isJsonRequest(ctx: HandlerContext): boolean {
  return (ctx.requestHeader.get("content-type") ?? "").includes("json");
}
