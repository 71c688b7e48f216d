// The wire protocols Statehouse can speak to a user's handler (write side and read sides).

/** Wire protocols Statehouse can speak to a user's handler. */
export const HANDLER_PROTOCOLS = ["connect", "connect-json", "grpc-web", "cos-http"] as const;
export type HandlerProtocol = (typeof HANDLER_PROTOCOLS)[number];
