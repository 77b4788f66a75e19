/**
 * DreamFactory's default label of a table, field or relation: the name camelised with spaces
 * ("order_items" → "Order Items"), reference §10.7.
 *
 * @param name - a table, column or relation name
 */
export function labelOf(name: string): string {
  return name
    .split(/[_\s]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(" ");
}
