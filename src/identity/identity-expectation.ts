/** Who the app expects a credential to belong to (checked by identity-consistency features). */
export type IdentityExpectationInput = { email: string } | { userId: number };

/**
 * Holder for an {@link IdentityExpectationInput}, stored at `configurable.dreamfactory_expect`.
 *
 * Frozen; its value sits in `#private` fields, so LangGraph debug/checkpoint streams, LangSmith and
 * `util.inspect` see only the kind of expectation (`{"expect":"email"}`), never the e-mail itself.
 */
export class IdentityExpectation {
  readonly #email: string | undefined;
  readonly #userId: number | undefined;

  /**
   * @param input - `{ email }` or `{ userId }`
   * @throws TypeError when neither a non-empty email nor a non-negative integer userId is given
   */
  constructor(input: IdentityExpectationInput) {
    const email = (input as { email?: unknown } | undefined)?.email;
    const userId = (input as { userId?: unknown } | undefined)?.userId;
    if (typeof email === "string" && email.length > 0 && userId === undefined) {
      this.#email = email;
    } else if (typeof userId === "number" && Number.isSafeInteger(userId) && userId >= 0 && email === undefined) {
      this.#userId = userId;
    } else {
      throw new TypeError("expect must be { email: non-empty string } or { userId: integer >= 0 }");
    }
    Object.freeze(this);
  }

  /** The expected e-mail, when the expectation is by e-mail. */
  get email(): string | undefined {
    return this.#email;
  }

  /** The expected user id, when the expectation is by id. */
  get userId(): number | undefined {
    return this.#userId;
  }

  /** Non-identifying JSON view. */
  toJSON(): { expect: "email" | "userId" } {
    return { expect: this.#email === undefined ? "userId" : "email" };
  }

  /** `util.inspect` view (no e-mail). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `IdentityExpectation { expect: ${this.toJSON().expect} }`;
  }
}
