// What every Connect service implementation here shares: error mapping and command encoding.
import { toBinary } from "@bufbuild/protobuf";
import { type Any, AnySchema } from "@bufbuild/protobuf/wkt";
import type { HandlerContext } from "@connectrpc/connect";
import { StatehouseError, isUnexpected } from "../errors.js";
import { log } from "../log.js";

/** Runs an RPC body, turning every failure into a ConnectError with the right code. */
export async function guardRpc<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (cause) {
    if (isUnexpected(cause)) log.error("statehouse: unexpected error", { code: "internal", error: cause });
    throw StatehouseError.from(cause).toConnect();
  }
}

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
