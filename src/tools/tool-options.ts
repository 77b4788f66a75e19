import type { DreamFactoryClientOptions } from "../client/dreamfactory-client-options.js";
import type { DreamFactoryClient } from "../client/dreamfactory-client.js";
import type { CredentialResolver } from "../identity/resolve-credential.js";

/**
 * Options shared by the toolkit and every DreamFactory tool: where DreamFactory is (a ready
 * {@link DreamFactoryClient}, or `baseUrl` + `apiKey` and client options), which database service the tools
 * read, and what the app lets the model do (table allowlist, row cap).
 */
export interface DreamFactoryToolOptions extends Partial<Omit<DreamFactoryClientOptions, "baseUrl" | "apiKey" | "resolveCredential">> {
  /** A client to share (then `baseUrl`, `apiKey` and client options must not be given). */
  client?: DreamFactoryClient;
  /** DreamFactory's URL when no `client` is given. */
  baseUrl?: string;
  /** The app's API key when no `client` is given. */
  apiKey?: string;
  /** DreamFactory database service name, e.g. `"db"` (letters, digits, `_`, `-`). */
  service: string;
  /**
   * Tables the model may use (case-insensitive). Calls for any other table are refused before any request
   * (`scope_denied`). @default every table the user's DreamFactory role allows
   */
  tables?: readonly string[];
  /** Most rows one call returns to the model; the model may ask for fewer, never more. 1–1000. @default 100 */
  maxRecords?: number;
  /**
   * Finds the credential elsewhere in a run's config (e.g. `configurable.langgraph_auth_user`). Like every client
   * option, only with `baseUrl` + `apiKey`; with a ready `client`, set it on the client.
   */
  resolveCredential?: CredentialResolver;
}
