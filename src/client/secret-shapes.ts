/** Runs of JWT characters (base64url and dots); a JWT never spans two of them. */
const JWT_CHARS_RUN = /[A-Za-z0-9_.-]{19,}/g;
/**
 * base64/base64url of anything starting like a JWT (`eyJ` encodes to `ZXlK`), including a cut-off one: what
 * `{base64_encode(session.token)}` yields for any token, not only the caller's.
 */
const BASE64_JWT_SHAPE = /ZXlK[A-Za-z0-9+/_-]{16,}={0,2}/g;
/** A replacement character or a control character other than tab, line feed and carriage return. */
const BINARY_CHAR = /[\uFFFD\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/** Text between ordinary spaces, tabs and line breaks (vertical tab, form feed and Unicode spaces stay inside). */
const NON_SPACE_RUN = /[^ \t\n\r]+/g;

/**
 * Replaces what looks like a secret whoever it belongs to, in time linear in the text's length:
 * - a JWT in any letter case (`eyJ…`, `EYJ…` from `strtoupper`): three dot-separated parts of 2+, 2+ and 10+
 *   base64url characters, the first starting with `eyJ` (the same shape as
 *   `/eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{10,}/i`, whose backtracking would be quadratic);
 * - the base64 / base64url encoding of a JWT, whole or cut off;
 * - a run of non-space text holding a replacement or control character: binary read as text, e.g. what
 *   `{base64_decode(session.token)}` gives (a lossy copy of the secret's bytes, which DreamFactory's filter parser
 *   may cut anywhere, so no exact form would match it).
 *
 * @param text - untrusted text
 * @param redacted - the replacement
 */
export function redactSecretShapes(text: string, redacted: string): string {
  let out = text.replace(JWT_CHARS_RUN, (run) => redactJwtsInRun(run, redacted));
  out = out.replace(BASE64_JWT_SHAPE, redacted);
  if (BINARY_CHAR.test(out)) out = out.replace(NON_SPACE_RUN, (run) => (BINARY_CHAR.test(run) ? redacted : run));
  return out;
}

/** JWTs inside one run of `[A-Za-z0-9_.-]`, scanned part by part. */
function redactJwtsInRun(run: string, redacted: string): string {
  if (!/eyj/i.test(run)) return run;
  const parts = run.split(".");
  const out: string[] = [];
  let i = 0;
  while (i < parts.length) {
    const part = parts[i] as string;
    const start = part.toLowerCase().indexOf("eyj");
    const second = parts[i + 1];
    const third = parts[i + 2];
    if (start >= 0 && part.length - start - 3 >= 2 && second !== undefined && second.length >= 2 && third !== undefined && third.length >= 10) {
      out.push(part.slice(0, start) + redacted);
      i += 3;
      continue;
    }
    out.push(part);
    i += 1;
  }
  return out.join(".");
}
