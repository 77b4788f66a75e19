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

  /**
   * Whether a DreamFactory user (as DreamFactory reported it) is the expected one: same `userId`, or the same
   * e-mail compared case-insensitively (surrounding spaces ignored).
   * @param user - `id` and `email` from DreamFactory's session info
   */
  matches(user: { id: number; email: string }): boolean {
    if (this.#userId !== undefined) return user.id === this.#userId;
    return normaliseEmail(user.email) === normaliseEmail(this.#email ?? "");
  }

  /**
   * An expectation from either form: an {@link IdentityExpectation} is returned as is, a plain
   * `{ email }` / `{ userId }` is wrapped.
   * @param value - an expectation or its input
   * @throws TypeError for anything else
   */
  static from(value: IdentityExpectation | IdentityExpectationInput): IdentityExpectation {
    return value instanceof IdentityExpectation ? value : new IdentityExpectation(value);
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

function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
