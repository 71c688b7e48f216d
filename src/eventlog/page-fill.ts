// One page of a log read being filled: the entries of a window that match the type and entity filters, up to
// the page's count and bytes. The hot segments and the archive scan their entries through it.
import type { LogEntry, LogQuery } from "./log-types.js";
import { payloadBytes } from "./segment-codec.js";
import { typeMatcher } from "./type-glob.js";

export class PageFill {
  readonly entries: LogEntry[] = [];
  bytes = 0;
  /** True once the page is full (by count or bytes): the read ends after its last entry. */
  cut = false;
  private readonly matches: (type: string) => boolean;

  constructor(
    private readonly q: Pick<LogQuery, "limit" | "maxBytes" | "type" | "entity">,
    private readonly start: number,
    private readonly windowEnd: number,
  ) {
    this.matches = typeMatcher(q.type);
  }

  /** Offers the next entry in offset order; false when the scan must stop (window passed or page full). */
  offer(e: LogEntry): boolean {
    if (e.offset < this.start) return true;
    if (e.offset >= this.windowEnd) return false;
    if (!this.matches(e.eventType) || (this.q.entity !== undefined && e.entityId !== this.q.entity)) return true;
    const size = payloadBytes(e);
    if (this.entries.length > 0 && this.bytes + size > this.q.maxBytes) {
      this.cut = true;
      return false;
    }
    this.entries.push(e);
    this.bytes += size;
    if (this.entries.length >= this.q.limit) {
      this.cut = true;
      return false;
    }
    return true;
  }
}
