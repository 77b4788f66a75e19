import { SandboxHttpError } from "../errors.js";
import { ok, type ApiRequest, type ApiResponse } from "./api-request.js";
import type { SandboxContext } from "./sandbox-context.js";

/**
 * The `system` service beyond `admin/session`: only `GET system/audit`, the sandbox's audit log (oldest first,
 * `?trace_id=` narrows it). Reached only by sys-admins (no demo role has rows for `system`).
 */
export function handleSystemService(ctx: SandboxContext, req: ApiRequest): ApiResponse {
  const first = (req.segments[0] ?? "").toLowerCase();
  if (first === "audit" && req.segments.length === 1) {
    if (req.verb !== "GET") throw new SandboxHttpError(405, `The ${req.verb} method is not supported for this route.`);
    const traceId = req.query.get("trace_id");
    const entries = ctx.audit.entries().filter((e) => traceId === null || e.traceId === traceId);
    return ok({ resource: entries }, entries.length);
  }
  if (first === "") {
    if (req.verb === "GET") return ok({ resource: [{ name: "admin" }, { name: "audit" }] }, 2);
    throw new SandboxHttpError(400, `${ucfirst(req.verb)} requests without a resource are not currently supported by the 'system' service.`);
  }
  throw new SandboxHttpError(404, `Resource '${req.segments[0] ?? ""}' not found for service 'system'.`);
}

function ucfirst(verb: string): string {
  return verb.charAt(0) + verb.slice(1).toLowerCase();
}
