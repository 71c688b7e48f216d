// Reads a JSON object request body with a clear error for anything else.
import { StatehouseError, messageOf } from "../errors.js";

/** The body parsed as a JSON object; malformed JSON or another JSON value is invalid_argument. */
export async function readJsonObject(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (text.trim() === "") throw new StatehouseError("invalid_argument", "request body is empty; send a JSON object");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new StatehouseError("invalid_argument", `malformed JSON: ${messageOf(cause)}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new StatehouseError("invalid_argument", "request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}
