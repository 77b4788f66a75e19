/**
 * DreamFactory request options (reference §3): URL query parameters, some of which may instead be top-level
 * keys of the JSON body (URL wins), with their aliases; booleans in PHP's `to_bool` spelling.
 */

/** Options that may also come from the JSON body for `_table/{t}` requests. */
const BODY_OPTIONS: ReadonlySet<string> = new Set([
  "fields",
  "ids",
  "filter",
  "limit",
  "offset",
  "order",
  "group",
  "count_only",
  "params",
  "continue",
  "rollback",
]);

/** Aliases of each canonical option name. */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  fields: ["fields", "select"],
  filter: ["filter", "where"],
  limit: ["limit", "top"],
  offset: ["offset", "skip"],
  order: ["order", "sort", "order_by"],
  group: ["group", "group_by"],
};

/** Reads options of one request. */
export class RequestOptions {
  constructor(
    private readonly query: URLSearchParams,
    private readonly body: unknown,
    private readonly bodyAllowed: boolean,
  ) {}

  /** Raw value of an option (query first, then body), as a string, array or object; undefined when absent. */
  raw(name: string): unknown {
    const names = ALIASES[name] ?? [name];
    for (const n of names) {
      const v = this.query.get(n);
      if (v !== null) return v;
    }
    if (this.bodyAllowed && BODY_OPTIONS.has(name) && isObject(this.body)) {
      for (const n of names) {
        const v = this.body[n];
        if (v !== undefined && v !== null) return v;
      }
    }
    return undefined;
  }

  /** Text value (arrays joined by commas); undefined when absent. */
  text(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (Array.isArray(v)) return v.map((x) => String(x)).join(",");
    if (typeof v === "object" && v !== null) return JSON.stringify(v);
    return String(v);
  }

  /** Boolean value with PHP's spelling (`true/1/yes/y/on`); false when absent. */
  bool(name: string): boolean {
    const v = this.raw(name);
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return v !== 0;
    if (typeof v !== "string") return false;
    return ["true", "1", "yes", "y", "on"].includes(v.trim().toLowerCase());
  }

  /** Integer value; undefined when absent or not an integer. */
  int(name: string): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const n = typeof v === "number" ? v : Number(String(v).trim());
    return Number.isFinite(n) ? Math.trunc(n) : undefined;
  }
}

/** A plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
