// Public surface of front/: the hono app that is the Worker's front door.
export { MAX_BODY_BYTES, createApp } from "./app.js";
export type { FrontEnv } from "./front-env.js";
