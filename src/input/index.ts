// Public surface of input/: what every front door (hono routes, Connect services) reads from a request — commands, options, page sizes.
export {
  type CommandOptions,
  type CommandPayload,
  type CommandRequest,
  buildCommandInput,
  readCommand,
} from "./command-input.js";
export { JOURNAL_PAGE_DEFAULT, JOURNAL_PAGE_MAX, journalLimit } from "./journal-limit.js";
export {
  EXPECTED_REVISION_HEADER,
  IDEMPOTENCY_KEY_HEADER,
  optionsFromHeaders,
  parseIdempotencyKey,
  parseUint32,
  pickHeaders,
} from "./request-options.js";
