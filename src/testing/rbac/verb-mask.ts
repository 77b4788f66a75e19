/**
 * DreamFactory's verb bit mask (df-core `VerbsMask`): GET=1, POST=2, PUT=4, PATCH=8, DELETE=16.
 */

/** The HTTP verbs the sandbox serves, as DreamFactory names them. */
export type ApiVerb = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Bit of each verb in a role's `verb_mask`. */
export const VERB_BITS: Readonly<Record<ApiVerb, number>> = {
  GET: 1,
  POST: 2,
  PUT: 4,
  PATCH: 8,
  DELETE: 16,
};

/** All five common verbs (31). */
export const ALL_VERBS_MASK = 31;

/** Requestor bit for calls over HTTP (df-core `ServiceRequestorTypes::API`). */
export const REQUESTOR_API = 1;

/** Builds a mask from verb names. */
export function verbMask(...verbs: ApiVerb[]): number {
  return verbs.reduce((mask, verb) => mask | VERB_BITS[verb], 0);
}

/** Verb names whose bit is set in `mask`, in DreamFactory's order (GET, POST, PUT, PATCH, DELETE). */
export function verbsOf(mask: number): ApiVerb[] {
  return (Object.keys(VERB_BITS) as ApiVerb[]).filter((verb) => (mask & VERB_BITS[verb]) !== 0);
}
