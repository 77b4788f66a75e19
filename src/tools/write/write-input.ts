import { z } from "zod";
import { DreamFactoryError } from "../../errors/dreamfactory-error.js";
import { checkRowIds } from "../row-ids.js";
import type { WriteId, WriteRecord, WriteValue } from "./write-approval-request.js";
import { MAX_WRITE_RECORDS } from "./write-options.js";

/** Column names a write may set. */
export const WRITE_FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Most columns in one record or change set. */
export const MAX_WRITE_FIELDS = 100;
/** Longest text value. */
export const MAX_WRITE_TEXT = 10_000;

/** zod schema of one value (the tool checks the details itself, to answer with a clear message). */
export const writeValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** zod schema of a record / change set. */
export const writeRecordSchema = z.record(z.string(), writeValueSchema);

/** zod schema of a list of ids. */
export const writeIdsSchema = z
  .array(z.union([z.number().int(), z.string().max(64)]))
  .min(1)
  .max(MAX_WRITE_RECORDS);

function invalid(message: string): DreamFactoryError {
  return new DreamFactoryError("invalid_input", message);
}

/**
 * Checks ids (whole numbers or short plain strings) and removes duplicates.
 * @param ids - from the model
 * @param max - most ids allowed
 * @throws DreamFactoryError `invalid_input`
 */
export function checkWriteIds(ids: readonly WriteId[], max: number): WriteId[] {
  return checkRowIds(ids, max, {
    badString: "String ids may contain only letters, digits and _ . : @ - (no commas, spaces or braces).",
    tooMany: (n) => `Give at most ${n} ids per call; split larger changes into several calls.`,
    none: "Give at least one id.",
  });
}

/**
 * Checks one record or change set: plain column names, scalar values, no `{…}` (DreamFactory substitutes lookups
 * such as `{user.email}` or `{session.token}` in record values), bounded sizes.
 * @param record - from the model
 * @param label - how to name it in messages, e.g. `record 2` or `changes`
 * @throws DreamFactoryError `invalid_input`
 */
export function checkWriteRecord(record: unknown, label: string): WriteRecord {
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw invalid(`${label} must be an object of column: value, e.g. {"status": "shipped"}.`);
  }
  const entries = Object.entries(record as Record<string, unknown>);
  if (entries.length === 0) throw invalid(`${label} is empty: give at least one column: value.`);
  if (entries.length > MAX_WRITE_FIELDS) throw invalid(`${label} has more than ${MAX_WRITE_FIELDS} columns.`);
  const out: WriteRecord = {};
  for (const [field, value] of entries) {
    if (field.length > 64 || !WRITE_FIELD_NAME.test(field)) {
      throw invalid(`${label}: column names contain only letters, digits and _ and do not start with a digit (as dreamfactory_describe_table lists them).`);
    }
    out[field] = checkValue(value, `${label}, column ${field}`);
  }
  return out;
}

function checkValue(value: unknown, where: string): WriteValue {
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw invalid(`${where}: numbers must be finite.`);
    return value;
  }
  if (typeof value === "string") {
    if (value.length > MAX_WRITE_TEXT) throw invalid(`${where}: text is longer than ${MAX_WRITE_TEXT} characters.`);
    if (/[{}]/.test(value)) {
      throw invalid(`${where}: text may not contain { or } (DreamFactory would read them as a lookup). Rephrase without braces.`);
    }
    return value;
  }
  throw invalid(`${where}: values must be text, numbers, true/false or null (no objects or lists).`);
}

/**
 * Checks the records of a create call.
 * @param records - from the model
 * @param max - most records allowed
 * @throws DreamFactoryError `invalid_input`
 */
export function checkWriteRecords(records: readonly unknown[], max: number): WriteRecord[] {
  if (!Array.isArray(records) || records.length === 0) throw invalid("Give at least one record.");
  if (records.length > max) throw invalid(`Give at most ${max} records per call; split larger batches into several calls.`);
  return records.map((r, i) => checkWriteRecord(r, `record ${i}`));
}
