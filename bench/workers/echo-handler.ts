// The bench's do-nothing write handler (Connect binary): the event is the command, the state is the event.
// The same Worker serves Statehouse and the ladder's B3/B4, over a Service Binding and over HTTP.
import { readField, writeFields } from "./proto-wire.js";

const PREFIX = "/chief_of_state.v1.WriteSideHandlerService/";
const PROTO = { "content-type": "application/proto" };

export default {
  async fetch(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    if (req.method !== "POST" || !path.startsWith(PREFIX)) return new Response("not found", { status: 404 });
    const body = new Uint8Array(await req.arrayBuffer());
    switch (path.slice(PREFIX.length)) {
      // HandleCommandRequest.command (1) → HandleCommandResponse.events (2): one event, the command itself.
      case "HandleCommand":
        return new Response(writeFields([[2, readField(body, 1)]]), { headers: PROTO });
      // HandleEventRequest.event (1) → HandleEventResponse.resulting_state (1): the event is the new state.
      case "HandleEvent":
        return new Response(writeFields([[1, readField(body, 1)]]), { headers: PROTO });
      default:
        return new Response("no such method", { status: 404 });
    }
  },
} satisfies ExportedHandler;
