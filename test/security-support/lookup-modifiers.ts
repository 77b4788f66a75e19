/**
 * DreamFactory's lookup modifiers (reference §7.5: `{strtoupper(session.token)}` …), written here independently of
 * the package and of the sandbox, as PHP computes them — plus the sandbox's own variants where Node differs from
 * PHP (URL encoding of `!'()*`, base64 decoding of `-`/`_`) — so a test can say what DreamFactory could echo.
 */

/** The allow-list of modifier functions (DreamFactory's default `DF_LOOKUP_MODIFIERS`). */
export const MODIFIER_NAMES = [
  "strtoupper", "strtolower", "ucfirst", "lcfirst", "ucwords", "urlencode", "urldecode", "rawurlencode", "rawurldecode",
  "base64_encode", "base64_decode", "trim",
] as const;

/** One modifier's name. */
export type ModifierName = (typeof MODIFIER_NAMES)[number];

const percent = (value: string, keep: RegExp, plus: boolean): string =>
  [...Buffer.from(value, "utf8")]
    .map((b) => (b < 0x80 && keep.test(String.fromCharCode(b)) ? String.fromCharCode(b) : plus && b === 0x20 ? "+" : `%${b.toString(16).toUpperCase().padStart(2, "0")}`))
    .join("");

/** PHP's result of each modifier. */
export const PHP_MODIFIERS: Record<ModifierName, (value: string) => string> = {
  strtoupper: (v) => v.replace(/[a-z]/g, (c) => c.toUpperCase()),
  strtolower: (v) => v.replace(/[A-Z]/g, (c) => c.toLowerCase()),
  ucfirst: (v) => v.charAt(0).toUpperCase() + v.slice(1),
  lcfirst: (v) => v.charAt(0).toLowerCase() + v.slice(1),
  ucwords: (v) => v.replace(/(^|[ \t\r\n\f\v])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase()),
  urlencode: (v) => percent(v, /[A-Za-z0-9_.-]/, true),
  urldecode: (v) => decodeURIComponent(v.replace(/\+/g, " ")),
  rawurlencode: (v) => percent(v, /[A-Za-z0-9_.~-]/, false),
  rawurldecode: (v) => decodeURIComponent(v),
  base64_encode: (v) => Buffer.from(v, "utf8").toString("base64"),
  base64_decode: (v) => Buffer.from(v.replace(/[^A-Za-z0-9+/]/g, ""), "base64").toString("latin1"),
  trim: (v) => v.replace(/^[ \t\n\r\0\x0B]+|[ \t\n\r\0\x0B]+$/g, ""),
};

/**
 * Every text form a secret can take through one modifier, DreamFactory's or the sandbox's, that is long enough to
 * search for and printable (binary output of `base64_decode` is checked separately). Labels name the modifier.
 *
 * @param label - e.g. "alice token"
 * @param secret - the secret
 */
export function modifierForms(label: string, secret: string): Array<{ label: string; value: string }> {
  const forms = new Map<string, string>();
  const add = (name: string, value: string) => {
    if (value.length >= 16 && value !== secret && !/[^\x20-\x7e]/.test(value) && !forms.has(value)) forms.set(value, `${label} ${name}`);
  };
  for (const name of MODIFIER_NAMES) add(name, PHP_MODIFIERS[name](secret));
  add("encodeURIComponent", encodeURIComponent(secret));
  add("base64 unpadded", Buffer.from(secret, "utf8").toString("base64").replace(/=+$/, ""));
  add("base64url", Buffer.from(secret, "utf8").toString("base64url"));
  return [...forms].map(([value, name]) => ({ label: name, value }));
}
