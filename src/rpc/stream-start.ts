// Lets a server stream's response headers go out once its start checks pass, before its first message.
import { type ContextValues, type HandlerContext, createContextKey } from "@connectrpc/connect";

const streamStartKey = createContextKey<((headers: Headers) => void) | undefined>(undefined, {
  description: "statehouse server stream start",
});

/**
 * Tells the adapter that a server stream passed its start checks (an error from here on travels
 * in the stream's body anyway), so its response headers may be sent before its first message:
 * a client of a quiet stream then knows at once that it is subscribed. Headers set later are not sent.
 */
export function announceStreamStart(ctx: HandlerContext): void {
  ctx.values.get(streamStartKey)?.(ctx.responseHeader);
}

/** Resolves with the stream's response headers when the implementation calls announceStreamStart. */
export function awaitStreamStart(contextValues: ContextValues): Promise<Headers> {
  return new Promise((resolve) => {
    contextValues.set(streamStartKey, resolve);
  });
}
