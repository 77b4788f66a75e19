import { SandboxHttpError } from "../errors.js";
import { isDateTimeType, isDecimalType, isIntegerType } from "./typecast.js";
import type { ColumnInfo } from "./types.js";

const TRUE_WORDS = new Set(["true", "1", "yes", "y", "on", "t"]);
const FALSE_WORDS = new Set(["false", "0", "no", "n", "off", "f"]);
const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE_TIME_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

function invalid(column: Pick<ColumnInfo, "name">, what: string): SandboxHttpError {
  return new SandboxHttpError(400, `Field '${column.name}' must be a valid ${what}.`);
}

/**
 * Normalises a date/time text to "YYYY-MM-DD HH:MM:SS" (or "YYYY-MM-DD" for `date` columns), as DreamFactory
 * formats filter and write values. A zone suffix (Z, +02:00) is converted to UTC. Returns null when the text is
 * not a valid calendar date/time.
 */
export function normaliseDateTime(text: string, type: string): string | null {
  const m = DATE_TIME_TEXT.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = "00", mi = "00", s = "00", , zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (check.getUTCFullYear() !== Number(y) || check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  if (zone && zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  const iso = new Date(ms).toISOString();
  return type === "date" ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/**
 * Casts a filter value (text after quote stripping) to what is bound for `column`, following DreamFactory's
 * `parseFilterValue`: integer columns accept only digits (`ctype_digit`: no sign, no spaces) else 400
 * "Field 'x' must be a valid integer."; date/time values are normalised to "YYYY-MM-DD HH:MM:SS". Where
 * DreamFactory would bind garbage and fail in the database (500) or misread, the sandbox answers 400:
 * decimals must be numbers ("must be a valid number."), booleans true/false/1/0/yes/no/on/off ("must be a
 * valid boolean."), dates must be real dates ("must be a valid date/time."). The result is a string (or
 * boolean) ready to bind.
 */
export function castFilterValue(text: string, column: Pick<ColumnInfo, "name" | "type">): string | boolean {
  const type = column.type;
  if (isIntegerType(type)) {
    if (!/^\d+$/.test(text)) throw invalid(column, "integer");
    return text;
  }
  if (isDecimalType(type)) {
    if (!DECIMAL_TEXT.test(text.trim())) throw invalid(column, "number");
    return text.trim();
  }
  if (type === "boolean") {
    const word = text.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    throw invalid(column, "boolean");
  }
  if (isDateTimeType(type) && type !== "time" && type !== "timetz") {
    const normalised = normaliseDateTime(text, type);
    if (normalised === null) throw invalid(column, "date/time");
    return normalised;
  }
  return text;
}

/**
 * Casts a JSON value written to `column` (create/update), following DreamFactory's `parseValueForSet`:
 * integers must be whole numbers or digit strings ("" becomes NULL on a nullable column) else 400
 * "Field 'x' must be a valid integer."; decimals must be numbers or numeric text; booleans accept
 * true/false, 1/0 and their words; date/time text is normalised; objects other than plain JSON are refused
 * (`{"expression": …}` raw SQL → 400 "SQL expression '…' is not permitted."). `null` is returned as null
 * (the caller checks nullability).
 */
export function castWriteValue(value: unknown, column: Pick<ColumnInfo, "name" | "type" | "allowNull">): unknown {
  if (value === null || value === undefined) return null;
  const type = column.type;
  if (typeof value === "object" && !Array.isArray(value) && "expression" in value) {
    const expression = (value as { expression: unknown }).expression;
    const text = typeof expression === "string" ? expression : JSON.stringify(expression);
    throw new SandboxHttpError(400, `SQL expression '${text}' is not permitted.`);
  }
  if (isIntegerType(type)) {
    if (typeof value === "number" && Number.isSafeInteger(value)) return value;
    if (typeof value === "string" && value === "" && column.allowNull) return null;
    if (typeof value === "string" && /^\d+$/.test(value)) return value;
    throw invalid(column, "integer");
  }
  if (isDecimalType(type)) {
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    if (typeof value === "string" && DECIMAL_TEXT.test(value.trim())) return value.trim();
    if (typeof value === "string" && value === "" && column.allowNull) return null;
    throw invalid(column, "number");
  }
  if (type === "boolean") {
    if (typeof value === "boolean") return value;
    if (value === 1 || value === 0) return value === 1;
    if (typeof value === "string") {
      const word = value.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
    }
    throw invalid(column, "boolean");
  }
  if (isDateTimeType(type) && type !== "time" && type !== "timetz") {
    if (typeof value === "string" && value === "" && column.allowNull) return null;
    const normalised = typeof value === "string" ? normaliseDateTime(value, type) : null;
    if (normalised === null) throw invalid(column, "date/time");
    return normalised;
  }
  if (type === "json" || type === "jsonb") return JSON.stringify(value);
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new SandboxHttpError(400, `Field '${column.name}' must be a string.`);
}
