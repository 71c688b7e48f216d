// The part of node:async_hooks (nodejs_compat) that trace/ uses; the Worker's types leave Node's out.
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, callback: () => R): R;
  }
}
