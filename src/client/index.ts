export { isLoopbackHost } from "./base-url.js";
export { DreamFactoryClient } from "./dreamfactory-client.js";
export type { DreamFactoryClientOptions } from "./dreamfactory-client-options.js";
export type { ActedAs, DreamFactoryMethod, DreamFactoryRequest, DreamFactoryResponse } from "./dreamfactory-request.js";
