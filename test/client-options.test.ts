import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { DreamFactoryClient, isLoopbackHost } from "../src/client/index.js";
import { DreamFactoryError } from "../src/errors/index.js";
import { DreamFactoryCredential, withDreamFactoryUser } from "../src/identity/index.js";
import { mintToken } from "./identity-token-factory.js";

const API_KEY = "k".repeat(20) + "0123456789abcdef";

function typeErrorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof TypeError) return e.message;
    throw e;
  }
  throw new Error("expected a TypeError");
}

describe("DreamFactoryClient options", () => {
  it("names the bad option in a TypeError and never echoes its value", () => {
    const base = { baseUrl: "https://df.example.com", apiKey: API_KEY };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, baseUrl: "" }, "baseUrl"],
      [{ ...base, baseUrl: 42 }, "baseUrl"],
      [{ ...base, baseUrl: "df.example.com" }, "baseUrl"],
      [{ ...base, baseUrl: "ftp://df.example.com" }, "baseUrl"],
      [{ ...base, baseUrl: "https://user:hunter2-password@df.example.com" }, "baseUrl"],
      [{ ...base, baseUrl: "https://df.example.com/?api_key=abcdef123456" }, "baseUrl"],
      [{ ...base, apiKey: "" }, "apiKey"],
      [{ ...base, apiKey: undefined }, "apiKey"],
      [{ ...base, apiKey: "with space-secret-value" }, "apiKey"],
      [{ ...base, timeoutMs: 0 }, "timeoutMs"],
      [{ ...base, timeoutMs: 1.5 }, "timeoutMs"],
      [{ ...base, timeoutMs: "30000" }, "timeoutMs"],
      [{ ...base, maxRetries: -1 }, "maxRetries"],
      [{ ...base, maxRetries: 11 }, "maxRetries"],
      [{ ...base, onTokenRefresh: "yes" }, "onTokenRefresh"],
      [{ ...base, allowInsecureHttp: "true" }, "allowInsecureHttp"],
      [{ ...base, resolveCredential: {} }, "resolveCredential"],
    ];
    for (const [options, name] of cases) {
      const message = typeErrorMessage(() => new DreamFactoryClient(options as never));
      expect(message).toContain(`option ${name}`);
      expect(message).not.toContain("hunter2-password");
      expect(message).not.toContain("abcdef123456");
      expect(message).not.toContain("secret-value");
    }
    expect(typeErrorMessage(() => new DreamFactoryClient(undefined as never))).toContain("options");
  });

  it("refuses plain http:// to a non-loopback host unless allowInsecureHttp", () => {
    for (const baseUrl of ["http://df.example.com", "http://10.0.0.5:8080", "http://[2001:db8::1]", "http://128.0.0.1"]) {
      expect(typeErrorMessage(() => new DreamFactoryClient({ baseUrl, apiKey: API_KEY }))).toContain("allowInsecureHttp");
      expect(() => new DreamFactoryClient({ baseUrl, apiKey: API_KEY, allowInsecureHttp: true })).not.toThrow();
    }
    for (const baseUrl of [
      "http://localhost:8080",
      "http://127.0.0.1:1234",
      "http://127.200.3.4",
      "http://[::1]:9000",
      "https://df.example.com",
    ]) {
      expect(() => new DreamFactoryClient({ baseUrl, apiKey: API_KEY })).not.toThrow();
    }
  });

  it("isLoopbackHost knows 127.0.0.0/8, ::1 and localhost only", () => {
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("LOCALHOST.")).toBe(true);
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
    expect(isLoopbackHost("127.255.255.254")).toBe(true);
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(isLoopbackHost("localhost.example.com")).toBe(false);
    expect(isLoopbackHost("127.0.0.1.nip.io")).toBe(false);
    expect(isLoopbackHost("0.0.0.0")).toBe(false);
    expect(isLoopbackHost("[::2]")).toBe(false);
  });

  it("accepts a baseUrl that already ends in /api/v2 and shows only the base URL", () => {
    const client = new DreamFactoryClient({ baseUrl: "https://df.example.com/api/v2/", apiKey: API_KEY });
    expect(client.baseUrl).toBe("https://df.example.com");
    expect(JSON.stringify(client)).toBe('{"baseUrl":"https://df.example.com"}');
    expect(inspect(client)).toBe('DreamFactoryClient { baseUrl: "https://df.example.com" }');
    expect(inspect({ client }, { depth: 5, showHidden: true })).not.toContain(API_KEY);
    expect(JSON.stringify({ ...client })).not.toContain(API_KEY);
    const prefixed = new DreamFactoryClient({ baseUrl: "https://host.example.com/df", apiKey: API_KEY });
    expect(prefixed.baseUrl).toBe("https://host.example.com/df");
  });

  it("credentialFrom uses the client's resolver and refuses expired credentials unless refresh is configured", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = DreamFactoryCredential.fromSessionToken(await mintToken({ iat: now - 100, nbf: now - 100, exp: now - 1 }), {
      now: () => (now - 50) * 1000,
    });
    const live = DreamFactoryCredential.fromSessionToken(await mintToken({ userId: 8 }));
    const plain = new DreamFactoryClient({ baseUrl: "https://df.example.com", apiKey: API_KEY });
    expect(plain.credentialFrom(withDreamFactoryUser(live)).userId).toBe(8);
    expect(() => plain.credentialFrom({ configurable: { dreamfactory: expired } })).toThrow(DreamFactoryError);
    const refreshing = new DreamFactoryClient({
      baseUrl: "https://df.example.com",
      apiKey: API_KEY,
      onTokenRefresh: () => undefined,
      resolveCredential: (config) => config.configurable?.["mine"] as DreamFactoryCredential | undefined,
    });
    expect(refreshing.credentialFrom({ configurable: { dreamfactory: expired } })).toBe(expired);
    expect(refreshing.credentialFrom({ configurable: { mine: live, dreamfactory: expired } })).toBe(live);
  });
});
