export type { DreamFactoryErrorCode } from "./dreamfactory-error-code.js";
export { DreamFactoryError, isDreamFactoryError } from "./dreamfactory-error.js";
export type { DreamFactoryErrorEnvelope, DreamFactoryErrorOptions } from "./dreamfactory-error.js";
