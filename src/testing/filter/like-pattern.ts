/**
 * Compiles a SQL LIKE pattern with Postgres semantics: case-sensitive, `%` = any sequence, `_` = exactly one
 * character (code point), `\` escapes the next character. Returns a predicate over strings.
 */
export function likeMatcher(pattern: string): (text: string) => boolean {
  let source = "^";
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === "\\" && i + 1 < chars.length) {
      i += 1;
      source += escapeRegExp(chars[i] as string);
    } else if (ch === "%") {
      source += "[\\s\\S]*";
    } else if (ch === "_") {
      source += "[\\s\\S]";
    } else {
      source += escapeRegExp(ch);
    }
  }
  const regex = new RegExp(`${source}$`, "u");
  return (text) => regex.test(text);
}

function escapeRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}
