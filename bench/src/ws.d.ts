// The part of ws (it comes with miniflare, without types) that profile.ts uses.
declare module "ws" {
  export default class WebSocket {
    constructor(url: string);
    on(event: "message", listener: (data: Buffer) => void): this;
    once(event: "open" | "error", listener: (arg?: unknown) => void): this;
    send(data: string): void;
    close(): void;
  }
}
