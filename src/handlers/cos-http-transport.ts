// Chief of State's HTTP handler protocol as a connect-es Transport: JSON POSTed to each method's path.
import { type DescMessage, create } from "@bufbuild/protobuf";
import { Code, ConnectError, type Transport, createContextValues } from "@connectrpc/connect";
import { runUnaryCall } from "@connectrpc/connect/protocol";
import { ERROR_CODES, type ErrorCode, codeFromHttpStatus, messageOf } from "../errors.js";
import { type CosHttpRoute, findCosHttpRoute } from "./cos-http-routes.js";
import type { ProtocolOptions } from "./protocol-options.js";

const decoder = new TextDecoder();

/**
 * A transport to a handler that speaks CoS-HTTP: each unary method in the CoS-HTTP table is a
 * POST of its JSON request to its path. A non-2xx answer is the handler's `{code, message}`
 * when it sent one, else the status's code. CoS-HTTP has no streaming methods.
 */
export function createCosHttpTransport(options: ProtocolOptions): Transport {
  return {
    async unary(method, signal, timeoutMs, header, input, contextValues) {
      const route = findCosHttpRoute(method);
      if (route === undefined) throw new ConnectError(`CoS-HTTP has no path for ${method.parent.typeName}.${method.name}`, Code.Unimplemented);
      const requestHeader = new Headers(header);
      requestHeader.set("content-type", "application/json");
      return runUnaryCall({
        signal,
        timeoutMs: timeoutMs !== undefined && timeoutMs > 0 ? timeoutMs : undefined,
        req: {
          stream: false,
          service: method.parent,
          method,
          requestMethod: "POST",
          url: `${options.baseUrl}${route.path}`,
          header: requestHeader,
          contextValues: contextValues ?? createContextValues(),
          message: input,
        },
        next: async (req) => {
          const body = JSON.stringify(route.encode(req.message));
          const res = await options.fetch(req.url, { method: "POST", headers: req.header, body, signal: req.signal });
          const text = decoder.decode(res.body);
          const answer = parseObject(text);
          if (res.status < 200 || res.status > 299) throw errorFromAnswer(res.status, answer, text);
          if (answer === undefined) throw new ConnectError(`protocol error: not a JSON object: ${text.slice(0, 200)}`, Code.Internal);
          return { stream: false, service: method.parent, method, header: res.headers, trailer: new Headers(), message: create(method.output, decode(route, answer)) };
        },
      });
    },
    stream(method) {
      return Promise.reject(new ConnectError(`CoS-HTTP has no streaming method ${method.parent.typeName}.${method.name}`, Code.Unimplemented));
    },
  };
}

function decode<I extends DescMessage, O extends DescMessage>(route: CosHttpRoute<I, O>, answer: Record<string, unknown>) {
  try {
    return route.decode(answer);
  } catch (cause) {
    throw new ConnectError(`protocol error: ${messageOf(cause)}`, Code.Internal);
  }
}

/** The handler's error: its `{code, message}` when it sent them, else what the status says. */
function errorFromAnswer(status: number, answer: Record<string, unknown> | undefined, text: string): ConnectError {
  const sent = answer?.code;
  const code: ErrorCode = typeof sent === "string" && Object.hasOwn(ERROR_CODES, sent) ? (sent as ErrorCode) : codeFromHttpStatus(status);
  const message = typeof answer?.message === "string" ? answer.message : `HTTP ${status}: ${text.slice(0, 200)}`;
  const err = new ConnectError(message, ERROR_CODES[code].connect);
  // It came from the handler, as connect-es marks the errors its own protocols read from the wire.
  err.isWireError = true;
  return err;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON at all: the caller reports the raw text.
    return undefined;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
