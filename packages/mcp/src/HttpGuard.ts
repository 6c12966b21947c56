/**
 * The checks in front of the Streamable HTTP endpoint, made before the MCP server sees a request
 * (MCP transport spec, "Security Warning", and the MCP security best practices):
 *
 * 1. `Host` must name a loopback host (`localhost`, `127.x.x.x`, `[::1]`), the host the server is
 *    bound to, or one of `allowedHosts`: a DNS-rebinding page (whose Host is its own domain) gets
 *    403.
 * 2. `Origin`, when present, must be a loopback origin or one of `allowedOrigins`: a foreign web
 *    page gets 403.
 * 3. With a `token`, `Authorization: Bearer <token>` is required (401 otherwise), compared in
 *    constant time.
 * 4. A body over `maxBodyBytes` (default 4 MiB) gets 413: at once when `Content-Length` says so,
 *    before a byte is read, and otherwise as soon as the streamed bytes pass the limit.
 * 5. An `MCP-Protocol-Version` header naming a revision the server does not speak gets 400.
 * 6. Each client (the bearer token when one is configured, else the remote address) has a token
 *    bucket: by default 60 requests per 10 seconds, bursts of up to 60. Over it, 429 with
 *    `Retry-After`, before the body is read. Idle clients' buckets are dropped; at most 10,000
 *    are kept.
 *
 * Refusals are JSON-RPC error bodies (`id: null`) with the HTTP status, as the TypeScript SDK
 * answers.
 *
 * @since 0.1.0
 */
import { ByteSize, Effect, Layer, Option, Redacted } from "effect"
import { Headers, HttpIncomingMessage, HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { createHash, timingSafeEqual } from "node:crypto"

/**
 * The default body limit: 4 MiB, as the TypeScript SDK's.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024

/**
 * Options of the guard.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpGuardOptions {
  /** A bearer token every request must carry (`Authorization: Bearer <token>`). */
  readonly token?: Redacted.Redacted<string> | undefined
  /** Host names (or `host:port`) accepted besides loopback and the bound host, e.g. behind a proxy. */
  readonly allowedHosts?: ReadonlyArray<string> | undefined
  /** Origins (`scheme://host[:port]`) accepted besides loopback origins. */
  readonly allowedOrigins?: ReadonlyArray<string> | undefined
  /** The largest request body, in bytes. Default 4 MiB. */
  readonly maxBodyBytes?: number | undefined
  /**
   * The per-client rate limit. Default `DEFAULT_RATE_LIMIT` (60 requests per 10 s); `false` (or
   * `requests: 0`) turns it off.
   */
  readonly rateLimit?: RateLimitOptions | false | undefined
}

/**
 * Options of the per-client rate limit: a token bucket per client that holds `burst` requests and
 * refills at `requests` per `perSeconds`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimitOptions {
  /** Requests a client may make per `perSeconds` (the refill rate). 0 turns the limit off. */
  readonly requests: number
  /** The window of `requests`, in seconds. */
  readonly perSeconds: number
  /** The bucket's size: how many requests a rested client may make at once. Default `requests`. */
  readonly burst?: number | undefined
  /** The most clients tracked at once; past it the least recently seen is dropped. Default 10,000. */
  readonly maxClients?: number | undefined
  /** The clock, in milliseconds. Default `Date.now`. */
  readonly now?: (() => number) | undefined
  /**
   * The client a request comes from. Default: one key for the bearer token when a token is
   * configured (only requests carrying it get this far), else the remote address.
   */
  readonly key?: ((request: HttpServerRequest.HttpServerRequest) => string) | undefined
}

/**
 * The default rate limit: 60 requests per 10 seconds per client, in bursts of up to 60.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { requests: 60, perSeconds: 10 }

/**
 * The default cap on the clients the rate limiter tracks.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MAX_CLIENTS = 10_000

/**
 * Per-client token buckets. `take` spends one request of a client's bucket and answers
 * `undefined`, or, when the bucket is empty, the seconds until it holds a request again.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimiter {
  readonly take: (key: string) => number | undefined
  /** How many clients are tracked. */
  readonly size: () => number
  /** A description of the limit, e.g. `60 requests per 10 s`. */
  readonly description: string
}

/**
 * Makes a rate limiter, or `undefined` when the options turn it off. Buckets live in a `Map` in
 * least-recently-seen order: a bucket that has refilled to full is the same as none and is swept
 * (at most once per refill time), and past `maxClients` the least recently seen is dropped, so
 * memory stays bounded whatever the number of clients.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRateLimiter = (options: RateLimitOptions | false | undefined): RateLimiter | undefined => {
  const { burst, maxClients = DEFAULT_MAX_CLIENTS, now = Date.now, perSeconds, requests } = options === undefined
    ? DEFAULT_RATE_LIMIT
    : options === false
    ? { requests: 0, perSeconds: 1 }
    : options
  if (!(requests > 0) || !(perSeconds > 0) || !Number.isFinite(requests / perSeconds)) return undefined
  const capacity = Math.max(1, burst ?? requests)
  const perMs = requests / (perSeconds * 1000)
  const fullAfterMs = capacity / perMs
  const cap = Math.max(1, Math.floor(maxClients))
  const buckets = new Map<string, { tokens: number; at: number }>()
  let sweptAt = now()
  const level = (bucket: { tokens: number; at: number }, time: number) =>
    Math.min(capacity, bucket.tokens + Math.max(0, time - bucket.at) * perMs)
  return {
    description: `${requests} requests per ${perSeconds} s`,
    size: () => buckets.size,
    take: (key) => {
      const time = now()
      if (time - sweptAt >= fullAfterMs) {
        for (const [idle, bucket] of buckets) {
          if (level(bucket, time) >= capacity) buckets.delete(idle)
        }
        sweptAt = time
      }
      let bucket = buckets.get(key)
      if (bucket === undefined) {
        bucket = { tokens: capacity, at: time }
        while (buckets.size >= cap) buckets.delete(buckets.keys().next().value!)
      } else {
        buckets.delete(key)
        bucket.tokens = level(bucket, time)
        bucket.at = time
      }
      buckets.set(key, bucket)
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1
        return undefined
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000))
    }
  }
}

/**
 * The guard's full configuration: the options, the host the server is bound to, and the MCP
 * revisions it speaks.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpGuardConfig extends HttpGuardOptions {
  readonly boundHost: string
  readonly protocolVersions: ReadonlyArray<string>
}

/**
 * Why a request is refused.
 *
 * @since 0.1.0
 * @category models
 */
export interface Refusal {
  readonly status: 400 | 401 | 403 | 413 | 429
  readonly message: string
  /** With 429: the seconds to wait (`Retry-After`). */
  readonly retryAfter?: number | undefined
}

/**
 * The refusal of a client over its rate limit.
 *
 * @since 0.1.0
 * @category checks
 */
export const rateLimited = (limiter: RateLimiter, retryAfter: number): Refusal => ({
  status: 429,
  message: `rate limit exceeded: at most ${limiter.description} per client; retry after ${retryAfter} s`,
  retryAfter
})

const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", "[::]", ""])

/**
 * The host name of a `Host` header value (`example.com:8080` -> `example.com`, `[::1]:80` ->
 * `[::1]`), lower-cased, or undefined when it is malformed.
 *
 * @since 0.1.0
 * @category parsing
 */
export const hostnameOf = (host: string): string | undefined => {
  const value = host.trim().toLowerCase()
  if (value === "") return undefined
  if (value.startsWith("[")) {
    const end = value.indexOf("]")
    if (end === -1) return undefined
    const rest = value.slice(end + 1)
    return rest === "" || /^:\d{1,5}$/.test(rest) ? value.slice(0, end + 1) : undefined
  }
  const colon = value.indexOf(":")
  if (colon === -1) return /^[a-z0-9.-]+$/.test(value) ? value : undefined
  const name = value.slice(0, colon)
  return /^[a-z0-9.-]+$/.test(name) && /^\d{1,5}$/.test(value.slice(colon + 1)) ? name : undefined
}

/**
 * Whether a host name is a loopback name: `localhost`, `127.0.0.0/8` or `[::1]`.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isLoopbackHostname = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "[::1]" || hostname === "::1" ||
  /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)

const bracket = (host: string): string => host.includes(":") && !host.startsWith("[") ? `[${host}]` : host

const isAllowedHost = (config: HttpGuardConfig, header: string | undefined): boolean => {
  if (header === undefined) return false
  const hostname = hostnameOf(header)
  if (hostname === undefined) return false
  if (isLoopbackHostname(hostname)) return true
  const bound = bracket(config.boundHost.toLowerCase())
  if (!WILDCARD_HOSTS.has(config.boundHost) && hostname === bound) return true
  return (config.allowedHosts ?? []).some((allowed) => hostnameOf(allowed) === hostname)
}

const normalizeOrigin = (origin: string): string | undefined => {
  try {
    const url = new URL(origin)
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined
    return url.origin
  } catch {
    return undefined
  }
}

const isAllowedOrigin = (config: HttpGuardConfig, origin: string): boolean => {
  const normalized = normalizeOrigin(origin)
  if (normalized === undefined) return false
  if (isLoopbackHostname(new URL(normalized).hostname)) return true
  return (config.allowedOrigins ?? []).some((allowed) => normalizeOrigin(allowed) === normalized)
}

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest()

const hasToken = (token: Redacted.Redacted<string>, authorization: string | undefined): boolean => {
  if (authorization === undefined) return false
  const match = /^Bearer\s+(.+)$/i.exec(authorization.trim())
  if (match === null) return false
  return timingSafeEqual(digest(match[1]!), digest(Redacted.value(token)))
}

/**
 * Checks a request's method and headers (everything but the streamed body size).
 *
 * @since 0.1.0
 * @category checks
 */
export const check = (
  config: HttpGuardConfig,
  method: string,
  headers: Readonly<Record<string, string | undefined>>
): Refusal | undefined => {
  if (!isAllowedHost(config, headers["host"])) {
    return { status: 403, message: `Forbidden: Host ${JSON.stringify(headers["host"] ?? "")} is not allowed` }
  }
  const origin = headers["origin"]
  if (origin !== undefined && !isAllowedOrigin(config, origin)) {
    return { status: 403, message: `Forbidden: Origin ${JSON.stringify(origin)} is not allowed` }
  }
  if (config.token !== undefined && !hasToken(config.token, headers["authorization"])) {
    return { status: 401, message: "Unauthorized: a valid Authorization: Bearer token is required" }
  }
  const maxBodyBytes = config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const contentLength = headers["content-length"]
  if (contentLength !== undefined) {
    if (!/^\d+$/.test(contentLength.trim())) {
      return { status: 400, message: "Bad Request: invalid Content-Length" }
    }
    if (Number(contentLength) > maxBodyBytes) {
      return { status: 413, message: `Payload Too Large: the body limit is ${maxBodyBytes} bytes` }
    }
  }
  const version = headers["mcp-protocol-version"]
  if (version !== undefined && method !== "OPTIONS" && !config.protocolVersions.includes(version.trim())) {
    return {
      status: 400,
      message: `Bad Request: unsupported MCP-Protocol-Version ${JSON.stringify(version)} (supported: ${
        config.protocolVersions.join(", ")
      })`
    }
  }
  return undefined
}

/**
 * The HTTP response of a refusal: a JSON-RPC error with `id: null`.
 *
 * @since 0.1.0
 * @category responses
 */
export const refusalResponse = (refusal: Refusal): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.jsonUnsafe(
    { jsonrpc: "2.0", id: null, error: { code: -32000, message: refusal.message } },
    {
      status: refusal.status,
      headers: {
        ...(refusal.status === 401 ? { "www-authenticate": "Bearer realm=\"grokit-mcp\"" } : {}),
        ...(refusal.retryAfter === undefined ? {} : { "retry-after": String(refusal.retryAfter) }),
        // The rest of a refused body is not read: close the connection after answering.
        ...(refusal.status === 413 || refusal.status === 429 ? { connection: "close" } : {})
      }
    }
  )

/**
 * The guard as a global `HttpRouter` middleware: every request is checked, then counted against
 * its client's rate limit (after the token check, before the body is read), POST bodies are read
 * under the size limit (into the request, where the MCP endpoint reads them), and the `Origin`
 * header, once checked, is taken off so that the endpoint's own exact-match check does not refuse
 * a loopback origin.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (config: HttpGuardConfig): Layer.Layer<never, never, HttpRouter.HttpRouter> => {
  const maxBodyBytes = config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const limit = ByteSize.bytes(maxBodyBytes)
  const limiter = makeRateLimiter(config.rateLimit)
  const keyOf = (config.rateLimit === false ? undefined : config.rateLimit?.key) ??
    ((request: HttpServerRequest.HttpServerRequest) =>
      config.token === undefined ? `address:${Option.getOrElse(request.remoteAddress, () => "unknown")}` : "token")
  return HttpRouter.middleware((httpEffect) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const refusal = check(config, request.method, request.headers)
      if (refusal !== undefined) return refusalResponse(refusal)
      if (limiter !== undefined) {
        const retryAfter = limiter.take(keyOf(request))
        if (retryAfter !== undefined) return refusalResponse(rateLimited(limiter, retryAfter))
      }
      const forwarded = request.headers["origin"] === undefined
        ? request
        : request.modify({ headers: Headers.remove(request.headers, "origin") })
      if (request.method === "POST") {
        const body = yield* Effect.result(
          Effect.provideService(forwarded.arrayBuffer, HttpIncomingMessage.MaxBodySize, limit)
        )
        if (body._tag === "Failure") {
          const reason = body.failure.reason
          return refusalResponse(
            reason._tag === "RequestParseError" && reason.reason === "BodyTooLarge"
              ? { status: 413, message: `Payload Too Large: the body limit is ${maxBodyBytes} bytes` }
              : { status: 400, message: "Bad Request: the body could not be read" }
          )
        }
      }
      return yield* Effect.provideService(httpEffect, HttpServerRequest.HttpServerRequest, forwarded)
    }), { global: true })
}
