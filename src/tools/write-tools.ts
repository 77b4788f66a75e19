import type { StructuredToolInterface } from "@langchain/core/tools";
import type { DreamFactoryToolOptions } from "./tool-options.js";
import { ApprovalSigner } from "./write/approval-digest.js";
import { CreateRecordsTool } from "./write/create-records.js";
import { DeleteRecordsTool } from "./write/delete-records.js";
import type { DreamFactoryWriteToolOptions, WriteToolShared } from "./write/dreamfactory-write-tool.js";
import { UpdateRecordsTool } from "./write/update-records.js";
import { writeSettings } from "./write/write-options.js";

/**
 * The write tools of a toolkit created with `allowWrites: true`: `dreamfactory_create_records`,
 * `dreamfactory_update_records`, `dreamfactory_delete_records`.
 *
 * They share the toolkit's client, service, allowlist and row cap, plus one approval setup (`options.writes`: mode or
 * `approve` callback, TTL, digest key — 32 random bytes per call of this function unless `approvalKey` is given).
 * Every write runs as the run's user, after a preview with that user's token and an approval, with `rollback=true`,
 * and is never retried.
 *
 * @param options - the toolkit's (shared) options; `writes` holds the write options
 * @throws TypeError naming a bad `writes` option
 */
export function createWriteTools(options: DreamFactoryToolOptions): StructuredToolInterface[] {
  const writeOptions = options as DreamFactoryWriteToolOptions;
  const settings = writeSettings(writeOptions.writes, "DreamFactoryToolkit");
  const shared: WriteToolShared = { settings, signer: new ApprovalSigner(settings.key) };
  return [new CreateRecordsTool(writeOptions, shared), new UpdateRecordsTool(writeOptions, shared), new DeleteRecordsTool(writeOptions, shared)];
}
