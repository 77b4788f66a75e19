/** Longest text cell shown to the model (characters). */
export const MAX_CELL_CHARS = 1000;
/** Largest JSON of rows in one tool result (characters). */
export const MAX_ROWS_JSON_CHARS = 40_000;

/** Rows as the model sees them: long text cells cut, and as many rows as fit the content budget. */
export interface RowView {
  rows: Record<string, unknown>[];
  /** Rows dropped to fit the content budget. */
  dropped: number;
  /** Whether any cell was cut. */
  cellsCut: boolean;
}

/**
 * Caps rows for the model's context: cuts text cells over {@link MAX_CELL_CHARS} and drops trailing rows
 * once the JSON would exceed {@link MAX_ROWS_JSON_CHARS}.
 * @param rows - rows from DreamFactory
 */
export function viewRows(rows: readonly unknown[]): RowView {
  // Fast path (the common case): plain rows without long text that surely fit the budget are shown as they are,
  // without copying or serialising them here (the content is serialised once, by the caller).
  if (surelyFits(rows)) return { rows: rows as Record<string, unknown>[], dropped: 0, cellsCut: false };
  const out: Record<string, unknown>[] = [];
  let size = 2;
  let cellsCut = false;
  for (const row of rows) {
    const view: Record<string, unknown> = {};
    if (typeof row === "object" && row !== null && !Array.isArray(row)) {
      for (const [key, value] of Object.entries(row as Record<string, unknown>)) {
        if (typeof value === "string" && value.length > MAX_CELL_CHARS) {
          view[key] = `${value.slice(0, MAX_CELL_CHARS)}…[cut]`;
          cellsCut = true;
        } else {
          view[key] = value;
        }
      }
    }
    const rowSize = JSON.stringify(view).length + 1;
    if (out.length > 0 && size + rowSize > MAX_ROWS_JSON_CHARS) break;
    out.push(view);
    size += rowSize;
  }
  return { rows: out, dropped: rows.length - out.length, cellsCut };
}

/**
 * Whether every row is a plain object of scalar cells with no text over {@link MAX_CELL_CHARS}, and an upper bound
 * of the rows' JSON size (every character escaped as `\uXXXX`, every number or literal 24 characters) is within
 * {@link MAX_ROWS_JSON_CHARS}. False means "maybe not": the exact path decides.
 */
function surelyFits(rows: readonly unknown[]): boolean {
  let bound = 2;
  for (const row of rows) {
    if (typeof row !== "object" || row === null || Array.isArray(row)) return false;
    bound += 3;
    for (const key in row) {
      const value = (row as Record<string, unknown>)[key];
      bound += key.length * 6 + 4;
      if (typeof value === "string") {
        if (value.length > MAX_CELL_CHARS) return false;
        bound += value.length * 6 + 2;
      } else if (value === null || typeof value === "number" || typeof value === "boolean") {
        bound += 24;
      } else {
        return false;
      }
    }
    if (bound > MAX_ROWS_JSON_CHARS) return false;
  }
  return true;
}

/** Rows of a DreamFactory list answer (`{resource:[...]}` or a bare array). */
export function resourceOf(data: unknown): unknown[] {
  if (Array.isArray(data)) return data;
  const resource = (data as { resource?: unknown } | null)?.resource;
  return Array.isArray(resource) ? resource : [];
}

/** `meta.count` of a DreamFactory list answer, when present. */
export function totalOf(data: unknown): number | undefined {
  const count = (data as { meta?: { count?: unknown } } | null)?.meta?.count;
  return typeof count === "number" && Number.isFinite(count) ? count : undefined;
}
