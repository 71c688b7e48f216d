// Runs an entity's commands strictly one at a time, across every await inside them.

/**
 * A promise-chain mutex. A Durable Object's input gate re-opens while it awaits an outbound
 * fetch, so without this two commands could read the same prior state and lose an update.
 */
export class CommandQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it has settled. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
