// Hands committed revisions to the Queue after commit; an alarm retries until the Queue has them.
import type { JournalEntry } from "./journal/index.js";
import type { TraceCarrier } from "../trace/index.js";

/**
 * The Queue message for a range of committed revisions of one entity. When the range's rows fit
 * (MAX_CARRIED_BYTES) they travel in `events`, so the consumer need not read them back from the
 * entity; otherwise, and after a restart of the object, the consumer reads the journal.
 */
export interface EventsMessage {
  entityId: string;
  fromRevision: number;
  toRevision: number;
  events?: JournalEntry[];
  /** The span of the newest command in the range, when the entity knows it (each event's meta has its own). */
  trace?: TraceCarrier;
}

/**
 * Bytes of rows one message carries at most, counting ROW_OVERHEAD_BYTES per row for the
 * serialization around it: a Queue message holds 128 KB, the range and the envelope included.
 */
export const MAX_CARRIED_BYTES = 96_000;
/** Serialization around one carried row (the v8 encoding measured ~45 bytes; doubled for margin). */
export const ROW_OVERHEAD_BYTES = 96;
/** Longest wait between re-sends while the Queue refuses them: one small message per entity. */
export const MAX_OUTBOX_RETRY_MS = 30_000;

/** The wait before the next re-send after `failures` consecutive failed sends: 1 s, doubling, at most MAX_OUTBOX_RETRY_MS. */
export function outboxRetryMs(failures: number): number {
  return Math.min(MAX_OUTBOX_RETRY_MS, 1000 * 2 ** Math.min(Math.max(failures - 1, 0), 9));
}

/**
 * Publishes [published + 1, head] to the Queue, one message per range, with at most one send in
 * flight: commits that land during a send are coalesced into the next message. A failed send
 * stays pending and `onFailure` is told how many sends failed in a row and how long to wait
 * (outboxRetryMs), so the owner can arm an alarm to call `flush` again then.
 */
export class OutboxPublisher {
  private target = 0;
  private running: Promise<boolean> | undefined;
  /** Rows committed but not yet sent, kept while they fit in one message. */
  private readonly carried = new Map<number, JournalEntry>();
  private carriedBytes = 0;
  /** The span of the newest commit not yet sent. */
  private trace: TraceCarrier | undefined;
  /** Sends that failed in a row; one that goes through resets it. */
  private failures = 0;

  constructor(
    private readonly send: (msg: EventsMessage) => Promise<void>,
    private readonly onFailure: (cause: unknown, failures: number, retryMs: number) => void,
    public published = 0,
  ) {}

  /** How long to wait before the next re-send, by the failures in a row so far. */
  get retryMs(): number {
    return outboxRetryMs(this.failures);
  }

  /** Records that `head` is committed for `entityId` (with its new rows and its command's span) and starts publishing it. */
  notify(entityId: string, head: number, rows: readonly JournalEntry[] = [], trace?: TraceCarrier): void {
    if (trace !== undefined) this.trace = trace;
    for (const r of rows) {
      const size = carriedSize(r);
      if (this.carriedBytes + size > MAX_CARRIED_BYTES) break;
      this.carried.set(r.revision, r);
      this.carriedBytes += size;
    }
    this.target = Math.max(this.target, head);
    this.running ??= this.drain(entityId).finally(() => {
      this.running = undefined;
    });
  }

  /** Publishes everything pending; resolves true when nothing is left. */
  async flush(entityId: string, head: number): Promise<boolean> {
    this.notify(entityId, head);
    while (this.running) {
      const done = await this.running;
      if (!done) return false;
    }
    return this.published >= this.target;
  }

  /** Whether committed revisions are still waiting for the Queue. */
  get pending(): boolean {
    return this.published < this.target;
  }

  private async drain(entityId: string): Promise<boolean> {
    while (this.published < this.target) {
      const msg: EventsMessage = { entityId, fromRevision: this.published + 1, toRevision: this.target };
      const events = this.carriedRange(msg.fromRevision, msg.toRevision);
      if (events !== undefined) msg.events = events;
      const trace = this.trace;
      if (trace !== undefined) msg.trace = trace;
      try {
        await this.send(msg);
        this.failures = 0;
        this.published = msg.toRevision;
        if (this.trace === trace) this.trace = undefined;
        this.forgetCarried(msg.toRevision);
      } catch (cause) {
        // Whatever the cause, the retry sends the bare range: a message the Queue refuses for its
        // size must never keep an entity from being published.
        if (msg.events !== undefined) this.forgetCarried(msg.toRevision);
        this.failures++;
        this.onFailure(cause, this.failures, this.retryMs);
        return false;
      }
    }
    return true;
  }

  /** The rows from..to, if every one of them is kept; otherwise the consumer reads the journal. */
  private carriedRange(from: number, to: number): JournalEntry[] | undefined {
    const rows: JournalEntry[] = [];
    for (let r = from; r <= to; r++) {
      const row = this.carried.get(r);
      if (row === undefined) return undefined;
      rows.push(row);
    }
    return rows;
  }

  private forgetCarried(upTo: number): void {
    for (const [r, row] of this.carried) {
      if (r > upTo) continue;
      this.carried.delete(r);
      this.carriedBytes -= carriedSize(row);
    }
  }
}

function carriedSize(r: JournalEntry): number {
  return r.event.byteLength + r.state.byteLength + r.meta.byteLength + ROW_OVERHEAD_BYTES;
}
