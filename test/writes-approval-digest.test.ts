/**
 * Approval digests and write options, without a server: the HMAC binds every part of the request, the expiry is
 * inside the MAC, another key cannot produce it, and the options are validated at construction.
 */
import { describe, expect, it } from "vitest";
import { ApprovalSigner, contentHash, type ApprovalSubject } from "../src/tools/write/approval-digest.js";
import { canonicalJson } from "../src/tools/write/canonical-json.js";
import { checkWriteIds, checkWriteRecord, checkWriteRecords } from "../src/tools/write/write-input.js";
import { writeSettings } from "../src/tools/write/write-options.js";
import { explainBatchError } from "../src/tools/write/batch-explanation.js";
import { DreamFactoryError, isDreamFactoryError } from "../src/errors/index.js";

const subject: ApprovalSubject = {
  action: "update",
  service: "db",
  table: "orders",
  ids: [5, 7],
  changes: { status: "shipped" },
  userId: 1,
  fingerprint: "0123456789ab",
  previewHash: "abc",
};
const T0 = 1_800_000_000_000;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isDreamFactoryError(e) ? e.code : `other:${(e as Error).name}`;
  }
  return undefined;
}

describe("canonicalJson", () => {
  it("sorts keys at every level, keeps array order, drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson([1, "1"])).not.toBe(canonicalJson([1, 1]));
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ x: () => 1 })).toThrow(TypeError);
  });
});

describe("ApprovalSigner", () => {
  const signer = new ApprovalSigner();

  it("verifies its own digest for the same subject before expiry, in any key order", () => {
    const digest = signer.sign(subject, T0 + 60_000);
    expect(digest).toMatch(/^dfw1-\d{13}-[A-Za-z0-9_-]{43}$/);
    const reordered: ApprovalSubject = {
      previewHash: "abc",
      fingerprint: "0123456789ab",
      userId: 1,
      changes: { status: "shipped" },
      ids: [5, 7],
      table: "orders",
      service: "db",
      action: "update",
    };
    expect(signer.verify(digest, reordered, T0)).toEqual({ ok: true, expiresAt: T0 + 60_000 });
  });

  it("refuses the digest when any bound part differs", () => {
    const digest = signer.sign(subject, T0 + 60_000);
    const variants: Array<Partial<ApprovalSubject>> = [
      { action: "delete" },
      { service: "db2" },
      { table: "customers" },
      { ids: [5] },
      { ids: [7, 5] },
      { ids: ["5", 7] },
      { changes: { status: "cancelled" } },
      { changes: { status: "shipped", notes: "x" } },
      { userId: 2 },
      { fingerprint: "ffffffffffff" },
      { previewHash: "abd" },
      { previewHash: undefined },
    ];
    for (const v of variants) {
      expect(signer.verify(digest, { ...subject, ...v }, T0), JSON.stringify(v)).toEqual({ ok: false, reason: "mismatch" });
    }
  });

  it("refuses an expired digest, and a digest whose expiry was edited", () => {
    const digest = signer.sign(subject, T0 + 60_000);
    expect(signer.verify(digest, subject, T0 + 60_000)).toMatchObject({ ok: true });
    expect(signer.verify(digest, subject, T0 + 60_001)).toEqual({ ok: false, reason: "expired", expiresAt: T0 + 60_000 });
    const extended = digest.replace(String(T0 + 60_000), String(T0 + 3_600_000));
    expect(signer.verify(extended, subject, T0 + 120_000)).toEqual({ ok: false, reason: "mismatch" });
  });

  it("refuses digests from another key, and malformed values", () => {
    const other = new ApprovalSigner();
    expect(signer.verify(other.sign(subject, T0 + 60_000), subject, T0)).toEqual({ ok: false, reason: "mismatch" });
    for (const bad of [undefined, 42, "", "dfw1-1-abc", `dfw2-${T0}-${"A".repeat(43)}`, "eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl"]) {
      expect(signer.verify(bad, subject, T0)).toEqual({ ok: false, reason: "malformed" });
    }
  });

  it("refuses another spelling of the same MAC (base64url ignores the low bits of the last character)", () => {
    const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const digest = signer.sign(subject, T0 + 60_000);
    const last = digest.at(-1) ?? "";
    const alias = `${digest.slice(0, -1)}${ALPHABET[ALPHABET.indexOf(last) ^ 1]}`;
    // Same bytes when decoded, different text: an edited digest, never an approval.
    expect(Buffer.from(alias.slice(-43), "base64url")).toEqual(Buffer.from(digest.slice(-43), "base64url"));
    expect(signer.verify(alias, subject, T0)).toEqual({ ok: false, reason: "mismatch" });
    expect(signer.verify(digest, subject, T0)).toMatchObject({ ok: true });
  });

  it("the same key (approvalKey shared by several processes) verifies across signer instances", () => {
    const key = new Uint8Array(32).fill(7);
    const a = new ApprovalSigner(key);
    const b = new ApprovalSigner(Uint8Array.from(key));
    expect(b.verify(a.sign(subject, T0 + 1000), subject, T0)).toMatchObject({ ok: true });
    expect(JSON.stringify(a)).toBe("{}");
  });

  it("contentHash is stable under key order and changes with the data", () => {
    expect(contentHash({ rows: [{ id: 1, total: 5 }] })).toBe(contentHash({ rows: [{ total: 5, id: 1 }] }));
    expect(contentHash({ rows: [{ id: 1, total: 5 }] })).not.toBe(contentHash({ rows: [{ id: 1, total: 6 }] }));
  });
});

describe("write input checks", () => {
  it("ids: whole numbers or short plain strings, deduplicated, bounded", () => {
    expect(checkWriteIds([3, 3, "a-1", "a-1"], 10)).toEqual([3, "a-1"]);
    expect(codeOf(() => checkWriteIds([1.5], 10))).toBe("invalid_input");
    expect(codeOf(() => checkWriteIds(["1,2"], 10))).toBe("invalid_input");
    expect(codeOf(() => checkWriteIds(["{user.id}"], 10))).toBe("invalid_input");
    expect(codeOf(() => checkWriteIds([1, 2, 3], 2))).toBe("invalid_input");
    expect(codeOf(() => checkWriteIds([], 2))).toBe("invalid_input");
  });

  it("records: plain column names, scalar values, no braces, not empty, bounded", () => {
    expect(checkWriteRecord({ status: "open", total: 1.5, ok: true, notes: null }, "changes")).toEqual({
      status: "open",
      total: 1.5,
      ok: true,
      notes: null,
    });
    for (const bad of [
      {},
      { "bad-name": 1 },
      { "1abc": 1 },
      { "a.b": 1 },
      { notes: "{user.email}" },
      { notes: "a } b" },
      { notes: "{session.token}" },
      { total: { expression: "NOW()" } },
      { total: [1] },
      { total: Number.POSITIVE_INFINITY },
      { notes: "x".repeat(10_001) },
    ]) {
      expect(codeOf(() => checkWriteRecord(bad, "changes")), JSON.stringify(bad).slice(0, 60)).toBe("invalid_input");
    }
    expect(codeOf(() => checkWriteRecord([1], "changes"))).toBe("invalid_input");
    expect(codeOf(() => checkWriteRecords([{ a: 1 }, { a: 2 }, { a: 3 }], 2))).toBe("invalid_input");
    expect(codeOf(() => checkWriteRecords([], 2))).toBe("invalid_input");
  });
});

describe("writeSettings", () => {
  it("defaults: interrupt mode, 10 min TTL, 50 records, random key", () => {
    const s = writeSettings(undefined, "T");
    expect({ mode: s.mode, ttlMs: s.ttlMs, maxRecords: s.maxRecords, key: s.key }).toEqual({
      mode: "interrupt",
      ttlMs: 600_000,
      maxRecords: 50,
      key: undefined,
    });
    expect(writeSettings({ approve: () => true }, "T").mode).toBe("callback");
    expect(writeSettings({ approval: "middleware" }, "T").mode).toBe("middleware");
  });

  it("refuses bad options with a TypeError naming the option", () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ approval: "auto" }, /writes\.approval/],
      [{ approve: "yes" }, /writes\.approve/],
      [{ approve: () => true, approval: "middleware" }, /not both/],
      [{ approvalTtlMs: 10 }, /approvalTtlMs/],
      [{ maxRecords: 0 }, /maxRecords/],
      [{ maxRecords: 101 }, /maxRecords/],
      [{ approvalKey: "short" }, /approvalKey/],
      [{ now: 5 }, /writes\.now/],
    ];
    for (const [options, message] of bad) {
      expect(() => writeSettings(options as never, "T"), JSON.stringify(options)).toThrow(message);
    }
  });
});

describe("explainBatchError", () => {
  it("names each failed record, the ones undone and the ones never tried", () => {
    const e = new DreamFactoryError("batch_error", "x", {
      status: 400,
      dreamfactory: {
        code: 1000,
        message: "Batch Error: Not all requested records could be updated. All changes rolled back.",
        context: {
          error: [1],
          resource: [{ id: 5 }, { code: 400, context: null, message: "Field &#039;total&#039; can not be NULL &amp; {x}.", status_code: 400 }],
        },
      },
    });
    const x = explainBatchError(e, 3, [5, 7, 9]);
    expect(x).toEqual({
      problems: [{ index: 1, id: 7, status: 400, problem: "Field 'total' can not be NULL & x." }],
      succeeded: [0],
      notAttempted: [2],
      rolledBack: true,
      denied: false,
      notFound: false,
    });
  });

  it("a 403 inside the batch is a denial; a 404 a missing row", () => {
    const batch = (status: number, message: string) =>
      new DreamFactoryError("batch_error", "x", {
        status: 400,
        dreamfactory: { code: 1000, message: "Batch Error", context: { error: [0], resource: [{ code: status, context: null, message, status_code: status }] } },
      });
    expect(explainBatchError(batch(403, "Denied access to some of the requested fields."), 1)).toMatchObject({ denied: true, notFound: false });
    expect(explainBatchError(batch(404, "Record with identifier '9' not found."), 1, [9])).toMatchObject({ denied: false, notFound: true });
  });
});
