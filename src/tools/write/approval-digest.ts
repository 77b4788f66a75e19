import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";
import type { WriteAction, WriteId, WriteRecord } from "./write-approval-request.js";

/** Everything an approval is bound to. */
export interface ApprovalSubject {
  action: WriteAction;
  service: string;
  table: string;
  ids?: WriteId[];
  records?: WriteRecord[];
  changes?: WriteRecord;
  /** Credential's user id. */
  userId: number;
  /** Credential's token fingerprint (not the token). */
  fingerprint: string;
  /** sha256 of the preview rows (update/delete): the rows the approver saw. */
  previewHash?: string;
}

/** Why a digest was refused. */
export type DigestCheck = { ok: true; expiresAt: number } | { ok: false; reason: "malformed" | "mismatch" | "expired"; expiresAt?: number };

const VERSION = "dfw1";
const DIGEST = /^dfw1-(\d{13,15})-([A-Za-z0-9_-]{43})$/;

/**
 * Signs and checks approval digests: `dfw1-<expiresAt ms>-<base64url HMAC-SHA256>` over a canonical JSON of the
 * {@link ApprovalSubject} and the expiry. The key is per toolkit (random) unless the app gives one, so neither the
 * model nor a user can forge a digest; the expiry is inside the HMAC, so it cannot be extended. A digest is not a
 * secret (it is shown to the approver and stored in checkpoints): it proves which request was approved.
 */
export class ApprovalSigner {
  readonly #key: Uint8Array;

  /** @param key - HMAC key (≥ 32 bytes); 32 random bytes when omitted */
  constructor(key?: Uint8Array) {
    this.#key = key ?? randomBytes(32);
  }

  /**
   * The digest of a subject, valid until `expiresAt`.
   * @param subject - what is approved
   * @param expiresAt - expiry in ms since the epoch
   */
  sign(subject: ApprovalSubject, expiresAt: number): string {
    return `${VERSION}-${expiresAt}-${this.#mac(subject, expiresAt).toString("base64url")}`;
  }

  /**
   * Checks a digest against the subject recomputed now: same subject (constant-time compare), not expired.
   * @param digest - what the approver sent back
   * @param subject - the request as recomputed on resume
   * @param now - current time in ms
   */
  verify(digest: unknown, subject: ApprovalSubject, now: number): DigestCheck {
    if (typeof digest !== "string") return { ok: false, reason: "malformed" };
    const match = DIGEST.exec(digest);
    if (match === null) return { ok: false, reason: "malformed" };
    const expiresAt = Number(match[1]);
    // Compare the text against the canonical encoding, not decoded bytes: base64url ignores the low bits of the last
    // character, so decoding would also accept altered spellings of the same MAC.
    const given = Buffer.from(match[2] ?? "", "ascii");
    const expected = Buffer.from(this.#mac(subject, expiresAt).toString("base64url"), "ascii");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "mismatch" };
    if (now > expiresAt) return { ok: false, reason: "expired", expiresAt };
    return { ok: true, expiresAt };
  }

  /** JSON view: nothing (the key stays private). */
  toJSON(): Record<string, never> {
    return {};
  }

  #mac(subject: ApprovalSubject, expiresAt: number): Buffer {
    const text = canonicalJson({ v: VERSION, ...subject, expiresAt });
    return createHmac("sha256", this.#key).update(text).digest();
  }
}

/**
 * sha256 (base64url) of the canonical JSON of some data, e.g. the preview rows an approver saw.
 * @param value - plain data
 */
export function contentHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("base64url");
}
