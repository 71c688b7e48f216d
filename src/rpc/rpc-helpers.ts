// What the command-taking Connect services share: whether a request came in Connect JSON.
import type { HandlerContext } from "@connectrpc/connect";

/** Whether the request came in Connect JSON (so the answer must render as JSON too). */
export function isJsonRequest(ctx: HandlerContext): boolean {
  return (ctx.requestHeader.get("content-type") ?? "").includes("json");
}
