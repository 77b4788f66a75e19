import type { SelectedFilters } from "./resolve-permissions.js";

/**
 * Renders a role's server-side filters as DreamFactory filter text (reference §7.4): each condition becomes
 * `(name op value)` with the value inserted as raw text, joined by ` AND ` / ` OR `. Lookups are not substituted
 * here: DreamFactory substitutes them in the combined client + server string.
 */
export function renderServerFilter(selected: SelectedFilters): string {
  const parts = selected.filters.map((f) => {
    const op = f.operator.trim().toUpperCase();
    return op === "IS NULL" || op === "IS NOT NULL" ? `(${f.name} ${op})` : `(${f.name} ${op} ${f.value})`;
  });
  return parts.join(` ${selected.filterOp} `);
}

/**
 * Combines a client filter with the server filter as DreamFactory does: `(<client>) AND (<server>)`, either
 * alone when the other is empty. Returns "" when both are empty.
 */
export function combineFilters(client: string, server: string): string {
  const c = client.trim();
  const s = server.trim();
  if (c === "") return s;
  if (s === "") return c;
  return `(${c}) AND (${s})`;
}
