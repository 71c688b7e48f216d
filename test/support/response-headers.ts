// A server stream's response headers as a promise, for tests that a quiet stream announces itself.

/** `onHeader` for a Connect client call, and `within(ms)`: the headers, or undefined if none came in time. */
export function awaitResponseHeaders() {
  let arrived: (h: Headers) => void = () => undefined;
  const headers = new Promise<Headers>((resolve) => {
    arrived = resolve;
  });
  return {
    onHeader: (h: Headers) => arrived(h),
    async within(ms: number): Promise<Headers | undefined> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const bound = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      });
      try {
        return await Promise.race([headers, bound]);
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    },
  };
}
