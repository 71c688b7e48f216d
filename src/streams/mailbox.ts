// The bounded buffer between a live connection and the feed core: live messages, closes and stops, in arrival order.
import type { LiveMessage } from "./feed-source.js";

/** What the core takes from the mailbox. */
export type FeedEvent<T> =
  | { kind: "items"; items: T[] }
  | { kind: "head"; head: number }
  /** Buffered live items were dropped because the reader fell behind: read the source instead. */
  | { kind: "overflow" }
  | { kind: "closed"; code: number; reason: string }
  | { kind: "stop" };

/** Bounds of the buffered live items. */
export interface MailboxLimits {
  items: number;
  bytes: number;
}

/**
 * Queues what a live connection delivers until the core takes it. When buffered items pass a
 * limit (a slow reader), every buffered live message is dropped and replaced by one `overflow`
 * event, so memory stays bounded and the reader catches up from the source: nothing is lost
 * silently, because the core re-reads from the last position it delivered.
 */
export class Mailbox<T> {
  private queue: FeedEvent<T>[] = [];
  private items = 0;
  private bytes = 0;
  private wake: (() => void) | undefined;
  private stoppedFlag = false;

  constructor(
    private readonly limits: MailboxLimits,
    private readonly sizeOf: (item: T) => number,
  ) {}

  /** Whether stop() was called: the core ends at its next step. */
  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** Adds a live message, or turns the buffer into one overflow marker when it is over a limit. */
  pushLive(msg: LiveMessage<T>): void {
    if ("items" in msg) {
      this.items += msg.items.length;
      for (const item of msg.items) this.bytes += this.sizeOf(item);
      this.queue.push({ kind: "items", items: msg.items });
    } else {
      this.items += 1;
      this.queue.push({ kind: "head", head: msg.head });
    }
    if (this.items > this.limits.items || this.bytes > this.limits.bytes) this.overflow();
    this.notify();
  }

  /** Records that the live connection closed. */
  pushClosed(code: number, reason: string): void {
    this.queue.push({ kind: "closed", code, reason });
    this.notify();
  }

  /** Ends the feed: the next take() answers `stop`, whatever is buffered. */
  stop(): void {
    this.stoppedFlag = true;
    this.notify();
  }

  /** The next event, waiting for one if none is buffered. */
  async take(): Promise<FeedEvent<T>> {
    for (;;) {
      if (this.stoppedFlag) return { kind: "stop" };
      const event = this.queue.shift();
      if (event !== undefined) {
        this.forget(event);
        return event;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private overflow(): void {
    const kept = this.queue.filter((e) => e.kind === "closed");
    this.queue = [{ kind: "overflow" }, ...kept];
    this.items = 0;
    this.bytes = 0;
  }

  private forget(event: FeedEvent<T>): void {
    if (event.kind === "items") {
      this.items -= event.items.length;
      for (const item of event.items) this.bytes -= this.sizeOf(item);
    } else if (event.kind === "head") {
      this.items -= 1;
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
