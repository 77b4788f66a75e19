import http from "node:http";
import https from "node:https";
import axios, { type AxiosInstance } from "axios";

/** One HTTP exchange to send. */
export interface TransportRequest {
  method: string;
  /** Path and query after the API base (`/db/_table/orders?limit=5`). */
  url: string;
  headers: Record<string, string>;
  /** Serialised body. */
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Why an exchange produced no usable answer (see {@link TransportResult}). */
export type TransportFailureReason = Extract<TransportResult, { kind: "failure" }>["reason"];

/** What happened to one exchange. Holds no request data (headers stay inside the transport). */
export type TransportResult =
  | { kind: "response"; status: number; body: string; retryAfter: unknown }
  | {
      kind: "failure";
      /**
       * `timeout`: our per-attempt timer fired. `aborted`: the caller's signal. `not_sent`: the connection was
       * never made (DNS, refused). `maybe_sent`: the connection broke after the request may have been
       * delivered. `cut_off`: the answer's headers arrived but the connection ended before its whole body did
       * (the request certainly reached the server). `bad_response`: an answer arrived whole but could not be read
       * (too large, corrupt compression).
       */
      reason: "timeout" | "aborted" | "not_sent" | "maybe_sent" | "cut_off" | "bad_response";
      /** Low-level error code (e.g. `ECONNRESET`), for a clean `cause`. */
      code: string;
    };

const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);
const BAD_RESPONSE = new Set(["ERR_BAD_RESPONSE", "ERR_FR_MAX_BODY_LENGTH_EXCEEDED", "Z_DATA_ERROR", "Z_BUF_ERROR"]);
/** Failures of the body stream itself (decoding, size): the connection was fine, the content was not. */
const UNREADABLE_BODY = new Set(["ERR_FR_MAX_BODY_LENGTH_EXCEEDED", "Z_DATA_ERROR", "Z_BUF_ERROR"]);

/**
 * Whether an axios failure is an answer cut off mid-body: axios reports a response stream that ended early
 * (`'aborted'`) as `ERR_BAD_RESPONSE` *with* the response attached, and a reset after the headers as a socket
 * error with the response attached. `maxContentLength` overflows are `ERR_BAD_RESPONSE` without a response.
 */
function cutOff(code: string, error: unknown): boolean {
  const answered = typeof error === "object" && error !== null && (error as { response?: unknown }).response !== undefined;
  return answered && !UNREADABLE_BODY.has(code);
}

/**
 * The axios-based transport: keep-alive agents, no redirects (a redirect would carry the credential
 * headers to another URL), no absolute URLs, text bodies, every status resolved. The axios error (which
 * holds the request headers) never leaves this class: failures are reduced to a reason and a code.
 */
export class HttpTransport {
  readonly #axios: AxiosInstance;

  /**
   * @param apiBase - `<baseUrl>/api/v2`
   */
  constructor(apiBase: string) {
    this.#axios = axios.create({
      baseURL: apiBase,
      allowAbsoluteUrls: false,
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
      maxRedirects: 0,
      responseType: "text",
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxContentLength: 64 * 1024 * 1024,
      maxBodyLength: 16 * 1024 * 1024,
      timeout: 0,
    });
  }

  /**
   * Sends one exchange; never rejects.
   * @param req - what to send
   */
  async send(req: TransportRequest): Promise<TransportResult> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, req.timeoutMs);
    const onAbort = (): void => controller.abort();
    if (req.signal?.aborted) controller.abort();
    else req.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const res = await this.#axios.request<string>({
        method: req.method,
        url: req.url,
        headers: req.headers,
        data: req.body,
        signal: controller.signal,
      });
      const body = typeof res.data === "string" ? res.data : res.data == null ? "" : String(res.data);
      return { kind: "response", status: res.status, body, retryAfter: res.headers["retry-after"] };
    } catch (e) {
      const code = typeof (e as { code?: unknown })?.code === "string" ? (e as { code: string }).code : "UNKNOWN";
      if (timedOut) return { kind: "failure", reason: "timeout", code: "ETIMEDOUT" };
      if (req.signal?.aborted) return { kind: "failure", reason: "aborted", code: "ERR_CANCELED" };
      if (cutOff(code, e)) return { kind: "failure", reason: "cut_off", code };
      if (NOT_SENT.has(code)) return { kind: "failure", reason: "not_sent", code };
      if (BAD_RESPONSE.has(code)) return { kind: "failure", reason: "bad_response", code };
      return { kind: "failure", reason: "maybe_sent", code };
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener("abort", onAbort);
    }
  }
}
