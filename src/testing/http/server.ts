import type { IncomingMessage, ServerResponse } from "node:http";
import { traceIdFor } from "../audit.js";
import { authenticate } from "../auth/authenticate.js";
import { extractCredentials } from "../auth/credentials.js";
import type { Principal } from "../auth/principal.js";
import { SandboxHttpError } from "../errors.js";
import type { ApiResponse } from "./api-request.js";
import { dispatch } from "./dispatch.js";
import { errorEnvelope } from "./error-envelope.js";
import { parseBody } from "./parse-body.js";
import { parseRoute } from "./parse-route.js";
import { readBody } from "./read-body.js";
import { resolveVerb } from "./resolve-verb.js";
import type { SandboxContext } from "./sandbox-context.js";
import { encodeJson, htmlErrorPage, sendResponse } from "./send-response.js";

/**
 * The sandbox's HTTP request listener, for `node:http`'s `createServer`. We use node:http rather than fastify or
 * hono: the toolchain probe measured all three within ~10% of each other, and node:http needs no dependency.
 *
 * Pipeline per request: count it → trace id (echoed in `X-DreamFactory-Trace-Id`) → route (traversal refused
 * before anything else) → verb tunnelling → faults → body (1 MiB cap, JSON) → AuthCheck → dispatch (AccessCheck,
 * handler in one database transaction) → DreamFactory envelope → one audit entry. Never throws: any unexpected
 * error becomes a 500 without details.
 */
export function createRequestListener(ctx: SandboxContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // A client that disconnects mid-answer must not turn into an unhandled 'error' event.
    res.on("error", () => undefined);
    req.on("error", () => undefined);
    handle(ctx, req, res).catch((err: unknown) => {
      ctx.onInternalError?.(err);
      if (!res.headersSent) sendResponse(res, 500, encodeJson(errorEnvelope(new SandboxHttpError(500, "Internal Server Error"))), "application/json", {}, false);
      else res.destroy();
    });
  };
}

interface AuditState {
  service: string;
  component: string;
  verb: string;
  principal: Principal | null;
}

function isSessionPath(service: string, segments: string[]): boolean {
  const path = segments.join("/").toLowerCase().replace(/\/+$/, "");
  return (service === "user" && path === "session") || (service === "system" && path === "admin/session");
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function handle(ctx: SandboxContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  ctx.stats.received++;
  const startedAt = performance.now();
  const time = new Date(ctx.now()).toISOString();
  const traceId = traceIdFor(req.headers["x-dreamfactory-trace-id"]);
  const state: AuditState = { service: "", component: "", verb: (req.method ?? "").toUpperCase().slice(0, 16), principal: null };
  let response: ApiResponse;
  let truncate = false;
  let html: string | null = null;
  try {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const route = parseRoute(q < 0 ? url : url.slice(0, q));
    state.service = route.service;
    state.component = route.resource.toLowerCase();
    const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
    const verb = resolveVerb(req.method ?? "GET", req.headers, query);
    state.verb = verb;
    // Read the body while any injected latency runs: a client that gives up during the latency has still sent its
    // request, so (as on a real server) the request is handled and only the answer is lost.
    const bodyRead = readBody(req);
    bodyRead.catch(() => undefined);
    const decision = ctx.faults.decide(isSessionPath(route.service, route.segments), route.service === "system");
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    const action = decision.action;
    if (action.kind === "drop") {
      req.socket.destroy();
      record(ctx, time, traceId, state, 0, 0, startedAt);
      return;
    }
    if (action.kind === "rateLimit") {
      const reset = Math.floor(ctx.now() / 1000) + action.retryAfterSeconds;
      throw new SandboxHttpError(429, "API limit(s) exceeded. ", 429, [{ id: 0, name: "sandbox fault: rate limit" }], {
        "Retry-After": String(action.retryAfterSeconds),
        "X-RateLimit-Limit": "0",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": String(reset),
      });
    }
    if (action.kind === "fail") {
      if (action.html) html = htmlErrorPage(action.status);
      throw new SandboxHttpError(action.status, action.status === 500 ? "Internal Server Error" : "Service Unavailable");
    }
    truncate = decision.truncate;
    const body = parseBody(await bodyRead, req.headers["content-type"]);
    const credentials = extractCredentials(req.headers, query, body, route.resource.toLowerCase());
    const principal = await authenticate(credentials, ctx.directory, ctx.tokens);
    state.principal = principal;
    // DreamFactory builds `iss` and `{df.host_url}` from the request URL; a malformed Host falls back to the socket.
    const host = /^[A-Za-z0-9.:[\]-]{1,255}$/.test(req.headers.host ?? "") ? (req.headers.host as string) : `127.0.0.1:${req.socket.localPort ?? 0}`;
    response = await dispatch(
      ctx,
      {
        verb,
        service: route.service,
        segments: route.segments,
        resource: route.resource,
        query,
        body,
        headers: req.headers,
        baseUrl: `http://${host}`,
        pathname: route.pathname,
      },
      principal,
      credentials,
    );
  } catch (err) {
    let error: SandboxHttpError;
    if (err instanceof SandboxHttpError) {
      error = err;
    } else {
      ctx.onInternalError?.(err);
      error = new SandboxHttpError(500, "Internal Server Error");
    }
    response = { status: error.status, body: errorEnvelope(error), headers: error.headers, rows: 0 };
  }
  const headers = { ...(response.headers ?? {}), "X-DreamFactory-Trace-Id": traceId };
  if (html !== null) {
    sendResponse(res, response.status, html, "text/html; charset=UTF-8", headers, false);
  } else {
    sendResponse(res, response.status, encodeJson(response.body), "application/json", headers, truncate);
  }
  record(ctx, time, traceId, state, response.status, response.rows, startedAt);
}

function record(
  ctx: SandboxContext,
  time: string,
  traceId: string,
  state: AuditState,
  status: number,
  rows: number,
  startedAt: number,
): void {
  const p = state.principal;
  ctx.audit.append({
    time,
    traceId,
    userId: p?.user?.id ?? null,
    email: p?.user?.email ?? null,
    role: p?.role?.name ?? null,
    app: p?.app?.name ?? null,
    service: state.service,
    component: state.component,
    verb: state.verb,
    status,
    rows,
    durationMs: Math.round((performance.now() - startedAt) * 100) / 100,
  });
}
