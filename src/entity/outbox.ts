// Hands committed revisions to the Queue after commit; an alarm retries until the Queue has them.

/** The Queue message for a range of committed revisions of one entity. */
export interface EventsMessage {
  entityId: string;
  fromRevision: number;
  toRevision: number;
}

/**
 * Publishes [published + 1, head] to the Queue, one message per range, with at most one send in
 * flight: commits that land during a send are coalesced into the next message. A failed send
 * stays pending and `onFailure` is told, so the owner can arm an alarm to call `flush` again.
 */
export class OutboxPublisher {
  private target = 0;
  private running: Promise<boolean> | undefined;

  constructor(
    private readonly send: (msg: EventsMessage) => Promise<void>,
    private readonly onFailure: (cause: unknown) => void,
    public published = 0,
  ) {}

  /** Records that `head` is committed for `entityId` and starts publishing it. */
  notify(entityId: string, head: number): void {
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
      const msg = { entityId, fromRevision: this.published + 1, toRevision: this.target };
      try {
        await this.send(msg);
        this.published = msg.toRevision;
      } catch (cause) {
        this.onFailure(cause);
        return false;
      }
    }
    return true;
  }
}
