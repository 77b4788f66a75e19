import { ToolMessage } from "@langchain/core/messages";
import { createMiddleware, type AgentMiddleware } from "langchain";
import { isDreamFactoryError } from "../errors/dreamfactory-error.js";
import { isIdentityError } from "../errors/identity-error-codes.js";
import { modelSafeText } from "../tools/model-text.js";

/**
 * Middleware for langchain's `createAgent` that keeps the package's fail-closed promise inside an agent.
 *
 * By default `createAgent`'s tool node turns EVERY error a tool throws into an error `ToolMessage` for the model,
 * so a missing, expired or mismatched credential would be shown to the model (which may then try other tools)
 * instead of reaching the app. With this middleware:
 * - identity errors (`credential_*`, `identity_mismatch`, `refresh_failed`, `token_blacklisted`, `unauthorized`)
 *   stop the run: `agent.invoke` rejects with the `DreamFactoryError`, so the app can log the user in again;
 * - other errors of DreamFactory tools (5xx after retries, network, timeouts) become a short error `ToolMessage`
 *   with the error's code, status and the first line of DreamFactory's (already scrubbed) message — never SQL
 *   details or the request path;
 * - anything else a tool throws is rethrown unchanged (the default behaviour of a middleware error).
 *
 * @example
 * ```ts
 * const agent = createAgent({ model, tools: toolkit.getTools(), middleware: [dreamfactoryMiddleware()] });
 * ```
 */
export function dreamfactoryMiddleware(): AgentMiddleware {
  // Typed as the generic AgentMiddleware: langchain 1.5.14's createMiddleware result with a wrapToolCall hook is
  // not assignable to createAgent's `middleware` array type under strict function types.
  const middleware: AgentMiddleware = createMiddleware({
    name: "DreamFactoryFailClosed",
    wrapToolCall: async (request, handler) => {
      try {
        return await handler(request);
      } catch (e) {
        if (isIdentityError(e) || !isDreamFactoryError(e)) throw e;
        return new ToolMessage({
          name: request.toolCall.name,
          tool_call_id: request.toolCall.id ?? "",
          status: "error",
          // DreamFactory's text made fit for a model (first line only: no SQL tail; no key- or JWT-shaped text).
          content: JSON.stringify({
            error: e.code,
            ...(e.status === undefined ? {} : { status: e.status }),
            message: modelSafeText(e.dreamfactory?.message) || "The DreamFactory request failed; try again later or tell the user.",
          }),
        });
      }
    },
  });
  return middleware;
}
