export { DreamFactorySession } from "./dreamfactory-session.js";
export type { LoginOptions, LogoutResult, RefreshResult } from "./dreamfactory-session.js";
export { credentialFromSessionResponse } from "./session-response.js";
