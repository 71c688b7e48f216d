// Just enough protobuf wire format for the bench's do-nothing handler and ladder: find and wrap fields.

/** The bytes of length-delimited field `field` (first occurrence) in `msg`, or undefined. */
export function readField(msg: Uint8Array, field: number): Uint8Array | undefined {
  let i = 0;
  while (i < msg.length) {
    const [tag, a] = varint(msg, i);
    i = a;
    const num = tag >>> 3;
    const wire = tag & 7;
    if (wire === 2) {
      const [len, b] = varint(msg, i);
      if (num === field) return msg.subarray(b, b + len);
      i = b + len;
    } else if (wire === 0) {
      i = varint(msg, i)[1];
    } else if (wire === 1) {
      i += 8;
    } else if (wire === 5) {
      i += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
  return undefined;
}

/** Encodes length-delimited fields in order: [[field, bytes], …]. */
export function writeFields(fields: readonly (readonly [number, Uint8Array | undefined])[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (const [num, bytes] of fields) {
    if (bytes === undefined) continue;
    const head = new Uint8Array([...encodeVarint((num << 3) | 2), ...encodeVarint(bytes.length)]);
    parts.push(head, bytes);
    size += head.length + bytes.length;
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function varint(buf: Uint8Array, i: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = buf[i++] as number;
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [result, i];
    shift += 7;
  }
}

function encodeVarint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** The value of varint field `field` (first occurrence) in `msg`, or undefined. */
export function readVarintField(msg: Uint8Array, field: number): number | undefined {
  let i = 0;
  while (i < msg.length) {
    const [tag, a] = varint(msg, i);
    i = a;
    const wire = tag & 7;
    if (wire === 0) {
      const [v, b] = varint(msg, i);
      if (tag >>> 3 === field) return v;
      i = b;
    } else if (wire === 2) {
      const [len, b] = varint(msg, i);
      i = b + len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else return undefined;
  }
  return undefined;
}
