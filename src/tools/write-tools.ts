import type { StructuredToolInterface } from "@langchain/core/tools";
import type { DreamFactoryToolOptions } from "./tool-options.js";

/**
 * The write tools (create / update / delete records) of a toolkit created with `allowWrites: true`.
 *
 * TODO(writes issue): create the write tools here (approval step, preview as the user, never retried blindly).
 * Until then this returns no tools, so `allowWrites: true` adds nothing and the toolkit stays read-only.
 *
 * @param options - the toolkit's options (same client, service, allowlist and row cap as the read tools)
 */
export function createWriteTools(options: DreamFactoryToolOptions): StructuredToolInterface[] {
  void options;
  return [];
}
