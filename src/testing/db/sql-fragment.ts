import type { SqlFragment } from "./types.js";

/**
 * Quotes an identifier for Postgres (`"name"`, inner `"` doubled). Only ever called with names read from the
 * catalog or fixed in code, never with request text.
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Renumbers the `$n` placeholders of `sql` by adding `offset` (so `$1` becomes `$(1 + offset)`). Text inside
 * quoted identifiers and string literals is left alone, although sandbox fragments never contain literals.
 */
export function shiftPlaceholders(sql: string, offset: number): string {
  if (offset === 0) return sql;
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    if (ch === '"' || ch === "'") {
      const end = findClosingQuote(sql, i, ch);
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    if (ch === "$") {
      const match = /^\$(\d+)/.exec(sql.slice(i));
      if (match) {
        out += `$${Number(match[1]) + offset}`;
        i += match[0].length;
        continue;
      }
    }
    out += ch;
    i += 1;
  }
  return out;
}

function findClosingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return sql.length;
}

/**
 * Appends `fragment` to a statement that already binds `params`: returns the fragment's SQL renumbered to
 * follow them and pushes its values onto `params`.
 */
export function bindFragment(params: unknown[], fragment: SqlFragment): string {
  const sql = shiftPlaceholders(fragment.sql, params.length);
  params.push(...fragment.params);
  return sql;
}

/** Pushes one value onto `params` and returns its placeholder (`$n`). */
export function bindValue(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}
