// CommandQueue: tasks run strictly one at a time, in order, and a failure does not stop the queue.
import { describe, expect, it } from "vitest";
import { CommandQueue } from "../../src/entity/command-queue.js";

describe("CommandQueue", () => {
  it("never overlaps two tasks, even across awaits", async () => {
    const q = new CommandQueue();
    let running = 0;
    let maxRunning = 0;
    let counter = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        q.run(async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          const seen = counter;
          await new Promise((r) => setTimeout(r, 1));
          counter = seen + 1;
          running--;
        }),
      ),
    );
    expect(maxRunning).toBe(1);
    expect(counter).toBe(20);
  });

  it("runs the next task after one that failed", async () => {
    const q = new CommandQueue();
    const failed = q.run(async () => {
      throw new Error("boom");
    });
    const next = q.run(async () => "ran");
    await expect(failed).rejects.toThrow("boom");
    expect(await next).toBe("ran");
  });
});
