import type { RunnableConfig } from "@langchain/core/runnables";
import type { DreamFactoryClientOptions } from "../client/dreamfactory-client-options.js";
import { DreamFactoryClient } from "../client/dreamfactory-client.js";
import type { DreamFactoryCredential } from "../identity/dreamfactory-credential.js";
import type { DreamFactoryToolOptions } from "./tool-options.js";

/** Validated, immutable settings shared by the tools of one toolkit. Holds nothing user-specific. */
export interface DreamFactoryToolContext {
  readonly client: DreamFactoryClient;
  readonly service: string;
  /** Allowed tables, lower-case; `undefined` = no allowlist. */
  readonly tables: ReadonlySet<string> | undefined;
  readonly maxRecords: number;
}

const SERVICE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Table names the tools accept (DreamFactory matches them case-insensitively). */
export const TABLE_NAME = /^[A-Za-z0-9_]{1,64}$/;
/** The client options a toolkit accepts next to `baseUrl` + `apiKey` (kept complete by the type check below). */
export const CLIENT_OPTION_KEYS = [
  "baseUrl",
  "apiKey",
  "timeoutMs",
  "maxRetries",
  "onTokenRefresh",
  "allowInsecureHttp",
  "resolveCredential",
  "resolveExpectedUser",
] as const satisfies ReadonlyArray<keyof DreamFactoryClientOptions>;
type MissingClientOption = Exclude<keyof DreamFactoryClientOptions, (typeof CLIENT_OPTION_KEYS)[number]>;
// Fails to compile when DreamFactoryClientOptions gains an option that is not listed above.
const clientOptionsComplete: [MissingClientOption] extends [never] ? true : never = true;
void clientOptionsComplete;

const contexts = new WeakMap<object, DreamFactoryToolContext>();

/**
 * Validates tool/toolkit options once and returns the shared context (the same object for the same options
 * object, so a toolkit's tools share one client).
 *
 * @param options - see {@link DreamFactoryToolOptions}
 * @param owner - class name used in TypeError messages
 * @throws TypeError naming the bad option
 */
export function toolContext(options: DreamFactoryToolOptions, owner: string): DreamFactoryToolContext {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${owner}: options must be an object ({ client | baseUrl + apiKey, service, ... })`);
  }
  const cached = contexts.get(options);
  if (cached !== undefined) return cached;
  const context = buildContext(options, owner);
  contexts.set(options, context);
  return context;
}

function buildContext(options: DreamFactoryToolOptions, owner: string): DreamFactoryToolContext {
  let client: DreamFactoryClient;
  const clientOptions = Object.fromEntries(
    CLIENT_OPTION_KEYS.filter((key) => options[key] !== undefined).map((key) => [key, options[key]]),
  );
  if (options.client !== undefined) {
    if (!(options.client instanceof DreamFactoryClient)) {
      throw new TypeError(`${owner}: option client must be a DreamFactoryClient`);
    }
    const extra = Object.keys(clientOptions);
    if (extra.length > 0) {
      throw new TypeError(`${owner}: give either client or baseUrl + apiKey (and client options), not both (got ${extra.join(", ")})`);
    }
    client = options.client;
  } else {
    if (options.baseUrl === undefined || options.apiKey === undefined) {
      throw new TypeError(`${owner}: option client, or options baseUrl and apiKey, are required`);
    }
    client = new DreamFactoryClient(clientOptions as unknown as DreamFactoryClientOptions);
  }
  if (typeof options.service !== "string" || !SERVICE_NAME.test(options.service)) {
    throw new TypeError(`${owner}: option service must be a DreamFactory service name (letters, digits, _ and -), e.g. "db"`);
  }
  let tables: Set<string> | undefined;
  if (options.tables !== undefined) {
    if (!Array.isArray(options.tables) || options.tables.length === 0) {
      throw new TypeError(`${owner}: option tables must be a non-empty array of table names`);
    }
    for (const t of options.tables) {
      if (typeof t !== "string" || !TABLE_NAME.test(t)) {
        throw new TypeError(`${owner}: option tables must hold table names (letters, digits and _ only)`);
      }
    }
    tables = new Set(options.tables.map((t) => t.toLowerCase()));
  }
  const maxRecords = options.maxRecords ?? 100;
  if (typeof maxRecords !== "number" || !Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > 1000) {
    throw new TypeError(`${owner}: option maxRecords must be an integer from 1 to 1000`);
  }
  return Object.freeze({ client, service: options.service.toLowerCase(), tables, maxRecords });
}

/**
 * The run's credential, resolved by the client (fail closed: throws, never falls back to anonymous).
 *
 * @param context - tool context
 * @param config - the tool's config / ToolRuntime
 */
export function credentialOf(context: DreamFactoryToolContext, config: RunnableConfig | undefined): DreamFactoryCredential {
  return context.client.credentialFrom(config);
}
