const ENTITIES: Record<string, string> = {
  "&quot;": '"',
  "&#039;": "'",
  "&#39;": "'",
  "&lt;": "<",
  "&gt;": ">",
  "&amp;": "&",
};

/**
 * Decodes the entities DreamFactory's `htmlentities(…, ENT_COMPAT)` produces in error messages
 * (`&quot; &amp; &lt; &gt;`, plus `&#039;`), in one pass so `&amp;lt;` becomes `&lt;`, not `<`.
 * @param text - an encoded message
 */
export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(?:quot|#0?39|lt|gt|amp);/g, (entity) => ENTITIES[entity] ?? entity);
}
