/**
 * Comparison operators DreamFactory finds by a word (case-insensitive, padded with spaces) before it reaches
 * LIKE / IN / CONTAINS; a value holding one of them would be split at the wrong place.
 */
export const DREAMFACTORY_OPERATOR_WORDS: readonly string[] = [
  "GTE", "LTE", "NE", "EQ", "GT", "LT", "NOT IN", "IN", "ALL", "LIKE", "NOT LIKE",
  "STARTS WITH", "ENDS WITH", "CONTAINS", "IS NULL", "IS NOT NULL", "BETWEEN",
];

/**
 * The first DreamFactory operator word that `value` holds as a whole word (or phrase), if any.
 *
 * @param value - a filter value as it will be sent
 */
export function findOperatorWord(value: string): string | undefined {
  const padded = ` ${value.toUpperCase().replace(/\s+/g, " ")} `;
  return DREAMFACTORY_OPERATOR_WORDS.find((w) => padded.includes(` ${w} `));
}
