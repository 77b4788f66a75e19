import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { DreamFactoryError, isDreamFactoryError } from "../src/errors/index.js";

describe("DreamFactoryError", () => {
  it("carries a stable code, structured fields and the class name", () => {
    const e = new DreamFactoryError("forbidden", "DreamFactory request failed with status 403: GET /api/v2/db/_table/orders", {
      status: 403,
      method: "GET",
      path: "/api/v2/db/_table/orders",
      dreamfactory: { code: 403, message: "Access Forbidden.", context: null },
    });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("DreamFactoryError");
    expect(e.code).toBe("forbidden");
    expect(e.status).toBe(403);
    expect(e.retryable).toBe(false);
    expect(e.cause).toBeUndefined();
    expect(e.toJSON()).toEqual({
      name: "DreamFactoryError",
      code: "forbidden",
      message: "DreamFactory request failed with status 403: GET /api/v2/db/_table/orders",
      status: 403,
      method: "GET",
      path: "/api/v2/db/_table/orders",
      dreamfactory: { code: 403, message: "Access Forbidden.", context: null },
      retryable: false,
    });
    expect(String(e.stack)).toContain("DreamFactoryError: DreamFactory request failed with status 403");
  });

  it("keeps a standard cause and shows no undefined optional fields in util.inspect", () => {
    const e = new DreamFactoryError("network_error", "x", { cause: { code: "ECONNRESET" }, retryable: true });
    expect(e.cause).toEqual({ code: "ECONNRESET" });
    expect(e.retryable).toBe(true);
    const shown = inspect(e);
    expect(shown).toContain("ECONNRESET");
    expect(shown).not.toContain("status: undefined");
  });

  it("isDreamFactoryError recognises instances and branded errors of another package copy", () => {
    expect(isDreamFactoryError(new DreamFactoryError("timeout", "t"))).toBe(true);
    const otherCopy = Object.assign(new Error("x"), { code: "timeout" });
    Object.defineProperty(otherCopy, Symbol.for("langchain-dreamfactory.error"), { value: true });
    expect(isDreamFactoryError(otherCopy)).toBe(true);
    expect(isDreamFactoryError(Object.assign(new Error("x"), { code: "timeout" }))).toBe(false);
    expect(isDreamFactoryError({ code: "timeout", message: "x" })).toBe(false);
    expect(isDreamFactoryError(null)).toBe(false);
    expect(isDreamFactoryError("timeout")).toBe(false);
  });
});
