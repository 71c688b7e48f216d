// The rules for entity ids, applied the same way by every entry point.

/** Longest entity id, in UTF-8 bytes. */
export const MAX_ENTITY_ID_BYTES = 256;

// C0 controls, DEL and C1 controls: invisible in logs and URLs, never part of a real id.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Returns why `id` is not a valid entity id, or undefined when it is. Valid: 1 to 256 UTF-8 bytes
 * of well-formed Unicode, no control characters, no leading or trailing white space. Any other
 * character is allowed, "/" included (percent-encode it as %2F inside URL paths).
 */
export function entityIdProblem(id: string): string | undefined {
  if (id === "") return "empty entity ID";
  if (!id.isWellFormed()) return "entity ID is not well-formed Unicode";
  if (CONTROL.test(id)) return "entity ID contains a control character";
  if (id.trim() !== id) return "entity ID has leading or trailing white space";
  const bytes = new TextEncoder().encode(id).byteLength;
  if (bytes > MAX_ENTITY_ID_BYTES) return `entity ID is ${bytes} bytes long; the limit is ${MAX_ENTITY_ID_BYTES}`;
  return undefined;
}
