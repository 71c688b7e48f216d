// Counts every call a Worker and its Durable Objects make on the LOG_ARCHIVE R2 bucket, by R2's billing class, with the bytes moved.

/**
 * R2 operations since the isolate started. Class A and B as R2 bills them
 * (developers.cloudflare.com/r2/pricing): put, list, multipart and copy are Class A; get and head
 * are Class B; delete is free. `stored` is what the puts left in the bucket (puts − deletes, by
 * key: an object put again replaces itself).
 */
export interface R2Tally {
  classA: number;
  classB: number;
  /** Calls by method (put, get, head, list, delete, createMultipartUpload, …). */
  byMethod: Record<string, number>;
  /** Keys deleted (one delete call may name many). */
  deletedKeys: number;
  /** Body bytes of every put, and of every get's object. */
  bytesPut: number;
  bytesGot: number;
  /** Objects and bytes the bucket holds through the counted calls. */
  storedObjects: number;
  storedBytes: number;
}

export const r2Totals: R2Tally = { classA: 0, classB: 0, byMethod: {}, deletedKeys: 0, bytesPut: 0, bytesGot: 0, storedObjects: 0, storedBytes: 0 };

const CLASS_A = new Set(["put", "list", "createMultipartUpload", "resumeMultipartUpload", "copy"]);
const CLASS_B = new Set(["get", "head"]);

/** Sizes of the objects put through the wrapper, so deletes can take them off `storedBytes`. */
const sizes = new Map<string, number>();

function sizeOf(body: unknown): number {
  if (body === null || body === undefined) return 0;
  if (typeof body === "string") return new TextEncoder().encode(body).byteLength;
  if (body instanceof ArrayBuffer) return body.byteLength;
  if (ArrayBuffer.isView(body)) return body.byteLength;
  if (body instanceof Blob) return body.size;
  // A stream: its size is known only to R2; the put's answer says it.
  return -1;
}

function stored(key: string, bytes: number): void {
  const before = sizes.get(key);
  if (before === undefined) r2Totals.storedObjects++;
  r2Totals.storedBytes += bytes - (before ?? 0);
  sizes.set(key, bytes);
}

function forget(key: string): void {
  const before = sizes.get(key);
  if (before === undefined) return;
  r2Totals.storedObjects--;
  r2Totals.storedBytes -= before;
  sizes.delete(key);
}

/** `bucket` with every call counted into `r2Totals`; the bucket's own answers are passed through untouched. */
export function countR2(bucket: R2Bucket): R2Bucket {
  return new Proxy(bucket, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== "function" || typeof prop !== "string") return v;
      const call = (v as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        r2Totals.byMethod[prop] = (r2Totals.byMethod[prop] ?? 0) + 1;
        if (CLASS_A.has(prop)) r2Totals.classA++;
        else if (CLASS_B.has(prop)) r2Totals.classB++;
        const result = (await call(...args)) as unknown;
        if (prop === "put") {
          const key = String(args[0]);
          const known = sizeOf(args[1]);
          const bytes = known >= 0 ? known : ((result as R2Object | null)?.size ?? 0);
          r2Totals.bytesPut += bytes;
          stored(key, bytes);
        } else if (prop === "get" && result !== null && result !== undefined) {
          r2Totals.bytesGot += (result as R2Object).size;
        } else if (prop === "delete") {
          const keys = Array.isArray(args[0]) ? (args[0] as string[]) : [String(args[0])];
          r2Totals.deletedKeys += keys.length;
          for (const k of keys) forget(k);
        }
        return result;
      };
    },
  });
}
