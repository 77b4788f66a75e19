import type { RunnableConfig } from "@langchain/core/runnables";
import { describe, expect, it } from "vitest";
import { SessionIdentityCache } from "../src/client/session-identity-cache.js";
import {
  DreamFactoryCredential,
  findExpectations,
  IdentityExpectation,
  parseSessionInfo,
  withDreamFactoryUser,
} from "../src/identity/index.js";
import { mintToken } from "./identity-token-factory.js";

const info = (id: number, email: string) =>
  parseSessionInfo({ id, email, name: "N", first_name: "F", last_name: "L", is_sys_admin: false })!;

describe("IdentityExpectation.matches", () => {
  it("compares e-mails case-insensitively (spaces trimmed) and user ids exactly", () => {
    expect(new IdentityExpectation({ email: " Alice@Example.com" }).matches({ id: 1, email: "alice@EXAMPLE.com" })).toBe(true);
    expect(new IdentityExpectation({ email: "alice@example.com" }).matches({ id: 1, email: "alice@example.co" })).toBe(false);
    expect(new IdentityExpectation({ email: "alice@example.com" }).matches({ id: 1, email: "xalice@example.com" })).toBe(false);
    expect(new IdentityExpectation({ userId: 1 }).matches({ id: 1, email: "x@y" })).toBe(true);
    expect(new IdentityExpectation({ userId: 0 }).matches({ id: 1, email: "x@y" })).toBe(false);
    const e = new IdentityExpectation({ userId: 3 });
    expect(IdentityExpectation.from(e)).toBe(e);
    expect(() => IdentityExpectation.from({ email: 5 } as never)).toThrow(TypeError);
  });
});

describe("parseSessionInfo", () => {
  it("keeps the non-secret fields and drops the token", () => {
    const parsed = parseSessionInfo({
      session_token: "not-kept-0123456789",
      session_id: "not-kept-0123456789",
      id: "7",
      name: "",
      first_name: "Ada",
      last_name: "Lovelace",
      email: "ada@example.com",
      is_sys_admin: 1,
      role: "analyst",
      role_id: 4,
      host: "h",
    });
    expect(parsed).toEqual({
      id: 7,
      email: "ada@example.com",
      name: "Ada Lovelace",
      firstName: "Ada",
      lastName: "Lovelace",
      role: "analyst",
      roleId: 4,
      isSysAdmin: true,
    });
    expect(JSON.stringify(parsed)).not.toContain("not-kept");
  });

  it("no role → nulls; no id or e-mail → undefined", () => {
    expect(parseSessionInfo({ id: 5, email: "a@b", is_sys_admin: true })).toMatchObject({ role: null, roleId: null, isSysAdmin: true });
    expect(parseSessionInfo({ id: 5 })).toBeUndefined();
    expect(parseSessionInfo({ email: "a@b" })).toBeUndefined();
    expect(parseSessionInfo({ id: -1, email: "a@b" })).toBeUndefined();
    expect(parseSessionInfo([])).toBeUndefined();
    expect(parseSessionInfo("x")).toBeUndefined();
  });
});

describe("findExpectations", () => {
  it("collects configurable, context (both spellings) and the resolver; nothing → []", async () => {
    const credential = DreamFactoryCredential.fromSessionToken(await mintToken());
    const config = {
      ...withDreamFactoryUser(credential, undefined, { expect: { email: "a@x" } }),
      context: { dreamfactoryExpect: { userId: 1 }, dreamfactory_expect: new IdentityExpectation({ email: "b@x" }) },
    } as RunnableConfig;
    const found = findExpectations(config, () => ({ userId: 9 }));
    expect(found.map((e) => e.email ?? e.userId)).toEqual(["a@x", 1, "b@x", 9]);
    expect(findExpectations(withDreamFactoryUser(credential))).toEqual([]);
    expect(findExpectations(undefined, () => ({ userId: 1 }))).toEqual([]);
    // A plain object put at configurable.dreamfactory_expect by hand is honoured, not ignored.
    expect(findExpectations({ configurable: { dreamfactory_expect: { userId: 4 } } })[0]?.userId).toBe(4);
  });

  it("a malformed statement is a TypeError, never a silently skipped check", () => {
    expect(() => findExpectations({ configurable: { dreamfactory_expect: { mail: "a@x" } } })).toThrow(/configurable\.dreamfactory_expect/);
    expect(() => findExpectations({ context: { dreamfactoryExpect: "a@x" } } as RunnableConfig)).toThrow(/context\.dreamfactoryExpect/);
    expect(() => findExpectations({}, () => ({ email: "" }))).toThrow(/resolveExpectedUser/);
  });
});

describe("SessionIdentityCache", () => {
  it("shares one lookup, remembers until the token's exp, forgets failures", async () => {
    const now = Math.floor(Date.now() / 1000);
    const credential = DreamFactoryCredential.fromSessionToken(await mintToken({ exp: now + 60 }));
    const cache = new SessionIdentityCache();
    let calls = 0;
    let fail = true;
    const perform = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (fail) throw new Error("lookup failed");
      return info(1, "a@x");
    };
    const failed = await Promise.allSettled([cache.lookup(credential, perform), cache.lookup(credential, perform)]);
    expect(failed.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(calls).toBe(1);
    expect(cache.get(credential)).toBeUndefined();
    fail = false;
    const [a, b] = await Promise.all([cache.lookup(credential, perform), cache.lookup(credential, perform)]);
    expect(a).toBe(b);
    expect(calls).toBe(2);
    await cache.lookup(credential, perform);
    expect(calls).toBe(2);
    expect(cache.get(credential, (now + 59) * 1000)).toBe(a);
    expect(cache.get(credential, (now + 60) * 1000)).toBeUndefined(); // expired with the token
    expect(cache.toJSON()).toEqual({ remembered: 0, inflight: 0 });
  });

  it("is keyed by the token, never shared between two tokens of the same user, and bounded", async () => {
    const one = DreamFactoryCredential.fromSessionToken(await mintToken({ userId: 1 }));
    const two = DreamFactoryCredential.fromSessionToken(await mintToken({ userId: 1 }));
    const cache = new SessionIdentityCache(2);
    cache.remember(one, info(1, "a@x"));
    expect(cache.get(two)).toBeUndefined();
    const three = DreamFactoryCredential.fromSessionToken(await mintToken({ userId: 2 }));
    cache.remember(two, info(1, "a@x"));
    cache.remember(three, info(2, "b@x"));
    expect(cache.get(one)).toBeUndefined(); // evicted, oldest first
    expect(cache.get(three)?.email).toBe("b@x");
  });
});
