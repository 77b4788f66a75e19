import { isIP } from "node:net";

/** A validated DreamFactory base URL. */
export interface BaseUrl {
  /** What the user gave, normalised, without a trailing `/api/v2` or `/` (for display). */
  display: string;
  /** `<display>/api/v2` (axios baseURL). */
  api: string;
}

/**
 * Whether `hostname` (as `URL.hostname` gives it) is loopback: `localhost`, 127.0.0.0/8 or `::1`.
 * @param hostname - URL hostname (IPv6 in brackets)
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost") return true;
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const family = isIP(bare);
  if (family === 4) return bare.split(".")[0] === "127";
  if (family === 6) return bare === "::1" || bare === "0:0:0:0:0:0:0:1";
  return false;
}

/**
 * Validates and normalises `baseUrl`.
 * @param baseUrl - e.g. `https://df.example.com` or `https://df.example.com/api/v2`
 * @param allowInsecureHttp - allow `http://` to a non-loopback host
 * @throws TypeError naming `baseUrl` (never echoing the value, which could hold credentials)
 */
export function parseBaseUrl(baseUrl: unknown, allowInsecureHttp: boolean): BaseUrl {
  if (typeof baseUrl !== "string" || baseUrl.trim() === "") {
    throw new TypeError("DreamFactoryClient: option baseUrl must be a non-empty string");
  }
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new TypeError("DreamFactoryClient: option baseUrl must be an absolute http(s) URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError("DreamFactoryClient: option baseUrl must use https:// (or http:// to a loopback host)");
  }
  if (url.username !== "" || url.password !== "") {
    throw new TypeError("DreamFactoryClient: option baseUrl must not contain credentials; use apiKey");
  }
  if (url.search !== "" || url.hash !== "") {
    throw new TypeError("DreamFactoryClient: option baseUrl must not contain a query string or fragment");
  }
  if (url.protocol === "http:" && !allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    throw new TypeError(
      "DreamFactoryClient: option baseUrl uses plain http:// to a non-loopback host, which would send session " +
        "tokens unencrypted; use https:// or set allowInsecureHttp: true",
    );
  }
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api\/v2$/i, "");
  const display = `${url.origin}${path}`;
  return { display, api: `${display}/api/v2` };
}
