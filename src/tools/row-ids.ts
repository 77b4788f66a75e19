import { DreamFactoryError } from "../errors/dreamfactory-error.js";

/**
 * String row ids a tool will send: letters, digits and `_ . : @ -`, 1 to 64 characters. DreamFactory splits an
 * `ids=` list at commas and substitutes `{lookups}`, so nothing else is carried.
 */
export const ROW_STRING_ID = /^[A-Za-z0-9_.:@-]{1,64}$/;

/** What {@link checkRowIds} says when it refuses, worded for the calling tool. */
export interface RowIdMessages {
  /** A string id outside {@link ROW_STRING_ID}. */
  badString: string;
  /** More distinct ids than `max`. */
  tooMany: (max: number) => string;
  /** No ids at all; omit when the schema already requires one. */
  none?: string;
}

/**
 * Checks row ids (safe whole numbers or short plain strings) and removes duplicates, keeping the first order;
 * `1` and `"1"` stay distinct.
 * @param ids - from the model
 * @param max - most distinct ids allowed
 * @param messages - the calling tool's wording
 * @throws DreamFactoryError `invalid_input`
 */
export function checkRowIds(ids: readonly (string | number)[], max: number, messages: RowIdMessages): Array<string | number> {
  for (const id of ids) {
    if (typeof id === "number") {
      if (!Number.isSafeInteger(id)) throw invalid("ids must be whole numbers or short ids.");
    } else if (typeof id !== "string" || !ROW_STRING_ID.test(id)) {
      throw invalid(messages.badString);
    }
  }
  const out = [...new Set(ids)];
  if (out.length === 0 && messages.none !== undefined) throw invalid(messages.none);
  if (out.length > max) throw invalid(messages.tooMany(max));
  return out;
}

function invalid(message: string): DreamFactoryError {
  return new DreamFactoryError("invalid_input", message);
}
