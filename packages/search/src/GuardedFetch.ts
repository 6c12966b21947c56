/**
 * `GuardedFetch`: the one HTTP fetcher for untrusted URLs (feeds, pages). Every adapter goes
 * through it. It allows `http:` and `https:` only, refuses credentials in URLs, refuses literal
 * non-public addresses in every encoding, resolves host names and refuses non-public answers,
 * then checks the address AGAIN at connect time through the socket's `lookup` hook (so a DNS
 * answer that changes between the check and the connection, i.e. rebinding, cannot get through).
 * Redirects are followed by hand, each hop checked the same way, at most `maxRedirects`. The body
 * is capped on the streamed bytes (a `Content-Length` is only used to refuse early) and the whole
 * fetch, redirects included, has one time limit.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { GuardedFetch } from "@grokit/search"
 *
 * const program = Effect.gen(function*() {
 *   const fetcher = yield* GuardedFetch.GuardedFetch
 *   const response = yield* fetcher.fetch("https://example.com/feed.xml")
 *   return response.body.byteLength
 * }).pipe(Effect.provide(GuardedFetch.layer({ maxBytes: 2 * 1024 * 1024 })))
 * ```
 *
 * @since 0.1.0
 */
import { Context, Data, Duration, Effect, Layer } from "effect"
import { type LookupAddress, promises as dns } from "node:dns"
import * as http from "node:http"
import * as https from "node:https"
import type { Readable } from "node:stream"
import * as zlib from "node:zlib"
import {
  type AllowList,
  classify,
  classifyHostname,
  formatIp,
  literalAddress,
  makeAllowList,
  normalizeHostname,
  parseIp
} from "./AddressPolicy.ts"

/**
 * The URL is not a valid absolute URL, or carries credentials (`user:pass@`).
 *
 * @since 0.1.0
 * @category reasons
 */
export class InvalidUrl extends Data.TaggedClass("InvalidUrl")<{
  readonly url: string
  readonly description: string
}> {
  get message(): string {
    return `invalid URL ${this.url}: ${this.description}`
  }
}

/**
 * The scheme is not `http:` or `https:`.
 *
 * @since 0.1.0
 * @category reasons
 */
export class BlockedScheme extends Data.TaggedClass("BlockedScheme")<{
  readonly url: string
  readonly scheme: string
}> {
  get message(): string {
    return `refused ${this.url}: scheme ${this.scheme} is not allowed (http and https only)`
  }
}

/**
 * Where an address was refused: `"literal"` (the URL's host is an IP literal or a local name),
 * `"resolve"` (the resolver's answer, checked before connecting) or `"connect"` (the socket's
 * lookup hook, at connect time).
 *
 * @since 0.1.0
 * @category models
 */
export type BlockPhase = "literal" | "resolve" | "connect"

/**
 * The host is, or resolves to, a non-public address (or is a local host name).
 *
 * @since 0.1.0
 * @category reasons
 */
export class BlockedAddress extends Data.TaggedClass("BlockedAddress")<{
  readonly url: string
  readonly host: string
  /** The refused address, or the host name for a name rule. */
  readonly address: string
  readonly rule: string
  readonly phase: BlockPhase
}> {
  get message(): string {
    return `refused ${this.url}: ${this.address} is ${this.rule} (${this.phase} check)`
  }
}

/**
 * More redirects than `maxRedirects`.
 *
 * @since 0.1.0
 * @category reasons
 */
export class TooManyRedirects extends Data.TaggedClass("TooManyRedirects")<{
  readonly url: string
  readonly maxRedirects: number
}> {
  get message(): string {
    return `refused ${this.url}: more than ${this.maxRedirects} redirects`
  }
}

/**
 * The body (or its declared `Content-Length`) exceeds `maxBytes`.
 *
 * @since 0.1.0
 * @category reasons
 */
export class TooLarge extends Data.TaggedClass("TooLarge")<{
  readonly url: string
  readonly maxBytes: number
  /** Bytes received (or declared) when the fetch stopped. */
  readonly received: number
  readonly declared: boolean
}> {
  get message(): string {
    return `refused ${this.url}: the body exceeds ${this.maxBytes} bytes`
  }
}

/**
 * The whole fetch, redirects included, took longer than `timeout`.
 *
 * @since 0.1.0
 * @category reasons
 */
export class Timeout extends Data.TaggedClass("Timeout")<{
  readonly url: string
  readonly timeoutMillis: number
}> {
  get message(): string {
    return `fetching ${this.url} took longer than ${this.timeoutMillis} ms`
  }
}

/**
 * A final response outside 2xx (or a 3xx without `Location`).
 *
 * @since 0.1.0
 * @category reasons
 */
export class HttpStatus extends Data.TaggedClass("HttpStatus")<{
  readonly url: string
  readonly status: number
}> {
  get message(): string {
    return `fetching ${this.url} failed with HTTP ${this.status}`
  }
}

/**
 * The connection or the transfer failed (DNS failure, refused, reset, TLS, bad encoding...).
 *
 * @since 0.1.0
 * @category reasons
 */
export class Transport extends Data.TaggedClass("Transport")<{
  readonly url: string
  readonly description: string
}> {
  get message(): string {
    return `fetching ${this.url} failed: ${this.description}`
  }
}

/**
 * Every reason a guarded fetch fails.
 *
 * @since 0.1.0
 * @category models
 */
export type GuardedFetchErrorReason =
  | InvalidUrl
  | BlockedScheme
  | BlockedAddress
  | TooManyRedirects
  | TooLarge
  | Timeout
  | HttpStatus
  | Transport

/**
 * The error of `GuardedFetch.fetch`.
 *
 * @since 0.1.0
 * @category errors
 */
export class GuardedFetchError extends Data.TaggedError("GuardedFetchError")<{
  readonly reason: GuardedFetchErrorReason
}> {
  override get message(): string {
    return this.reason.message
  }
}

/**
 * Resolves a host name to its addresses (IPv4 and/or IPv6 text). The default uses
 * `dns.lookup(host, { all: true })`; tests inject their own to simulate public, private and
 * rebinding answers without the network.
 *
 * @since 0.1.0
 * @category models
 */
export type Resolver = (hostname: string) => Effect.Effect<ReadonlyArray<string>, unknown>

/**
 * The system resolver (`dns.lookup`, all addresses).
 *
 * @since 0.1.0
 * @category resolvers
 */
export const systemResolver: Resolver = (hostname) =>
  Effect.tryPromise(() => dns.lookup(hostname, { all: true, order: "verbatim" })).pipe(
    Effect.map((answers) => answers.map((answer) => answer.address))
  )

/**
 * Settings of a guarded fetcher.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuardedFetchOptions {
  /** Hosts (`name`, `*.suffix`), IPs and CIDRs allowed even if local/private. Default none. */
  readonly allow?: ReadonlyArray<string> | undefined
  /** Redirects followed at most. Default 5. */
  readonly maxRedirects?: number | undefined
  /** Body cap in bytes, on the (decompressed) streamed bytes. Default 2 MiB. */
  readonly maxBytes?: number | undefined
  /** Time limit for the whole fetch, redirects included. Default 10 seconds. */
  readonly timeout?: Duration.Input | undefined
  /** The resolver used before connecting and by the connect-time hook. Default `systemResolver`. */
  readonly resolve?: Resolver | undefined
  /**
   * Resolve and check host names before connecting (fail fast with a clear error). The
   * connect-time hook checks again regardless. Default true; tests turn it off to exercise the
   * hook alone.
   */
  readonly checkBeforeConnect?: boolean | undefined
  /** The `User-Agent` header. */
  readonly userAgent?: string | undefined
}

/**
 * Per-request settings (override the fetcher's defaults for one call).
 *
 * @since 0.1.0
 * @category models
 */
export interface FetchOptions {
  readonly accept?: string | undefined
  /** Extra headers; dropped when a redirect leaves the original origin. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly maxBytes?: number | undefined
  readonly timeout?: Duration.Input | undefined
  readonly maxRedirects?: number | undefined
}

/**
 * A successful (2xx) response, body fully read.
 *
 * @since 0.1.0
 * @category models
 */
export interface FetchResponse {
  /** The final URL, after redirects. */
  readonly url: string
  readonly status: number
  /** Lower-case header names (null-prototype object). */
  readonly headers: Readonly<Record<string, string>>
  readonly contentType: string | undefined
  readonly body: Uint8Array
  /** The URLs redirected through, in order (empty without redirects). */
  readonly redirects: ReadonlyArray<string>
}

/**
 * The service: fetch a URL under the guard.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuardedFetchService {
  readonly fetch: (url: string, options?: FetchOptions) => Effect.Effect<FetchResponse, GuardedFetchError>
  /** Checks a URL without fetching it (scheme, credentials, literal address, host name). */
  readonly check: (url: string) => Effect.Effect<URL, GuardedFetchError>
}

/**
 * Default body cap for feeds: 2 MiB.
 *
 * @since 0.1.0
 * @category defaults
 */
export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024

/**
 * Default redirect cap: 5.
 *
 * @since 0.1.0
 * @category defaults
 */
export const DEFAULT_MAX_REDIRECTS = 5

/**
 * Default total time limit: 10 seconds.
 *
 * @since 0.1.0
 * @category defaults
 */
export const DEFAULT_TIMEOUT: Duration.Duration = Duration.seconds(10)

const fail = (reason: GuardedFetchErrorReason) => Effect.fail(new GuardedFetchError({ reason }))

/**
 * The pre-connect check of a URL: parses it, refuses non-http(s) schemes, credentials, literal
 * non-public addresses (every IPv4 encoding is normalised by the URL parser and parsed again
 * loosely as a backstop) and local host names. Host names are not resolved here.
 *
 * @since 0.1.0
 * @category checks
 */
export const checkUrl = (
  input: string | URL,
  allow: AllowList = makeAllowList([])
): Effect.Effect<URL, GuardedFetchError> => {
  const text = String(input)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return fail(new InvalidUrl({ url: text.slice(0, 2048), description: "not an absolute URL" }))
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return fail(new BlockedScheme({ url: url.href.slice(0, 2048), scheme: url.protocol }))
  }
  if (url.username !== "" || url.password !== "") {
    return fail(new InvalidUrl({ url: redact(url), description: "credentials in URLs are not allowed" }))
  }
  const host = normalizeHostname(url.hostname)
  if (allow.allowsHost(host)) return Effect.succeed(url)
  const literal = literalAddress(host)
  if (literal !== undefined) {
    if (allow.allowsAddress(literal)) return Effect.succeed(url)
    const rule = classify(literal)
    if (rule !== undefined) {
      return fail(
        new BlockedAddress({ url: url.href, host, address: formatIp(literal), rule, phase: "literal" })
      )
    }
    return Effect.succeed(url)
  }
  const nameRule = classifyHostname(host)
  if (nameRule !== undefined) {
    return fail(new BlockedAddress({ url: url.href, host, address: host, rule: nameRule, phase: "literal" }))
  }
  return Effect.succeed(url)
}

const redact = (url: URL): string => {
  const copy = new URL(url.href)
  copy.username = ""
  copy.password = ""
  return copy.href
}

/** Checks resolved addresses; the first refused one, if any. */
const checkAddresses = (
  addresses: ReadonlyArray<string>,
  allow: AllowList
): { readonly address: string; readonly rule: string } | undefined => {
  if (addresses.length === 0) return { address: "(none)", rule: "no address" }
  for (const address of addresses) {
    const ip = parseIp(address)
    if (ip === undefined) return { address, rule: "not an IP address" }
    if (allow.allowsAddress(ip)) continue
    const rule = classify(ip)
    if (rule !== undefined) return { address: formatIp(ip), rule }
  }
  return undefined
}

/**
 * Thrown (as the socket error) by the connect-time lookup hook when an answer is refused.
 *
 * @since 0.1.0
 * @category errors
 */
export class BlockedLookupError extends Error {
  readonly code = "EGUARDEDBLOCKED"
  readonly hostname: string
  readonly address: string
  readonly rule: string
  constructor(hostname: string, address: string, rule: string) {
    super(`refused connection to ${hostname}: ${address} is ${rule}`)
    this.hostname = hostname
    this.address = address
    this.rule = rule
  }
}

/**
 * The node `lookup` function used at connect time: resolves through `resolve`, refuses the whole
 * answer if any address is not public (unless allowed), and honours `family` and `all`. Node
 * calls it for host names only, never for IP literals, which is why `checkUrl` exists too.
 *
 * @since 0.1.0
 * @category checks
 */
export const makeGuardedLookup = (
  resolve: Resolver,
  allow: AllowList = makeAllowList([]),
  onLookup?: (hostname: string) => void
) =>
(
  hostname: string,
  options: { readonly family?: number | string | undefined; readonly all?: boolean | undefined } | number,
  callback: (...args: Array<any>) => void
): void => {
  onLookup?.(hostname)
  const opts = typeof options === "number" ? { family: options } : options ?? {}
  const family = opts.family === "IPv4" ? 4 : opts.family === "IPv6" ? 6 : Number(opts.family ?? 0)
  Effect.runPromise(Effect.result(resolve(hostname))).then((result) => {
    if (result._tag === "Failure") {
      const cause = result.failure
      const error = Object.assign(
        new Error(`lookup of ${hostname} failed: ${cause instanceof Error ? cause.message : String(cause)}`),
        { code: "ENOTFOUND" }
      )
      return callback(error)
    }
    const addresses = result.success
    const hostAllowed = allow.allowsHost(hostname)
    const refused = hostAllowed ? undefined : checkAddresses(addresses, allow)
    if (refused !== undefined) return callback(new BlockedLookupError(hostname, refused.address, refused.rule))
    const answers: Array<LookupAddress> = []
    for (const address of addresses) {
      const ip = parseIp(address)
      if (ip === undefined) continue
      if (family === 4 && ip.family !== 4) continue
      if (family === 6 && ip.family !== 6) continue
      answers.push({ address: formatIp(ip), family: ip.family })
    }
    if (answers.length === 0) {
      return callback(Object.assign(new Error(`no usable address for ${hostname}`), { code: "ENOTFOUND" }))
    }
    if (opts.all === true) return callback(null, answers)
    return callback(null, answers[0]!.address, answers[0]!.family)
  }, (defect) => callback(defect instanceof Error ? defect : new Error(String(defect))))
}

type HopResult =
  | { readonly _tag: "Redirect"; readonly location: string; readonly status: number }
  | {
    readonly _tag: "Body"
    readonly status: number
    readonly headers: Record<string, string>
    readonly body: Uint8Array
  }

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])

const flattenHeaders = (headers: http.IncomingHttpHeaders): Record<string, string> => {
  const out: Record<string, string> = Object.create(null)
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    out[name] = Array.isArray(value) ? value.join(", ") : value
  }
  return out
}

const describeNodeError = (error: unknown): string => {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return typeof code === "string" ? `${code}: ${error.message}` : error.message
  }
  return String(error)
}

interface HopSettings {
  readonly maxBytes: number
  readonly headers: Record<string, string>
  readonly lookup: ReturnType<typeof makeGuardedLookup>
}

/** One request, no redirect following. */
const hop = (url: URL, settings: HopSettings): Effect.Effect<HopResult, GuardedFetchError> =>
  Effect.callback<HopResult, GuardedFetchError>((resume) => {
    let settled = false
    const transport = url.protocol === "https:" ? https : http
    const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname
    const request = transport.request({
      protocol: url.protocol,
      hostname,
      port: url.port === "" ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: "GET",
      headers: settings.headers,
      agent: false,
      lookup: settings.lookup as any
    })
    const settle = (effect: Effect.Effect<HopResult, GuardedFetchError>) => {
      if (settled) return
      settled = true
      resume(effect)
    }
    const failWith = (reason: GuardedFetchErrorReason) => {
      settle(fail(reason))
      request.destroy()
    }
    request.on("error", (error) => {
      if (error instanceof BlockedLookupError) {
        return failWith(
          new BlockedAddress({
            url: url.href,
            host: error.hostname,
            address: error.address,
            rule: error.rule,
            phase: "connect"
          })
        )
      }
      failWith(new Transport({ url: url.href, description: describeNodeError(error) }))
    })
    request.on("response", (response) => {
      const status = response.statusCode ?? 0
      const headers = flattenHeaders(response.headers)
      if (REDIRECT_STATUSES.has(status) && headers.location !== undefined) {
        settle(Effect.succeed({ _tag: "Redirect", location: headers.location, status }))
        request.destroy()
        return
      }
      if (status < 200 || status > 299) return failWith(new HttpStatus({ url: url.href, status }))
      const declared = headers["content-length"]
      if (declared !== undefined && /^[0-9]+$/.test(declared.trim()) && Number(declared) > settings.maxBytes) {
        return failWith(
          new TooLarge({ url: url.href, maxBytes: settings.maxBytes, received: Number(declared), declared: true })
        )
      }
      const encoding = (headers["content-encoding"] ?? "identity").trim().toLowerCase()
      let body: Readable = response
      if (encoding === "gzip" || encoding === "x-gzip") body = response.pipe(zlib.createGunzip())
      else if (encoding === "deflate") body = response.pipe(zlib.createInflate())
      else if (encoding === "br") body = response.pipe(zlib.createBrotliDecompress())
      else if (encoding !== "identity" && encoding !== "") {
        return failWith(new Transport({ url: url.href, description: `unsupported content-encoding ${encoding}` }))
      }
      const chunks: Array<Uint8Array> = []
      let received = 0
      body.on("data", (chunk: Uint8Array) => {
        if (settled) return
        received += chunk.byteLength
        if (received > settings.maxBytes) {
          failWith(new TooLarge({ url: url.href, maxBytes: settings.maxBytes, received, declared: false }))
          body.destroy()
          return
        }
        chunks.push(chunk)
      })
      body.on("end", () => {
        const bytes = new Uint8Array(received)
        let offset = 0
        for (const chunk of chunks) {
          bytes.set(chunk, offset)
          offset += chunk.byteLength
        }
        settle(Effect.succeed({ _tag: "Body", status, headers, body: bytes }))
        request.destroy()
      })
      body.on("error", (error) => failWith(new Transport({ url: url.href, description: describeNodeError(error) })))
      response.on(
        "aborted",
        () => failWith(new Transport({ url: url.href, description: "the connection closed before the body ended" }))
      )
      response.on("close", () => {
        if (!response.complete) {
          failWith(new Transport({ url: url.href, description: "the connection closed before the body ended" }))
        }
      })
    })
    request.end()
    return Effect.sync(() => {
      settled = true
      request.destroy()
    })
  })

/**
 * Builds a guarded fetcher. Throws on an invalid allow-list entry.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: GuardedFetchOptions = {}): GuardedFetchService => {
  const allow = makeAllowList(options.allow ?? [])
  const resolve = options.resolve ?? systemResolver
  const defaultMaxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  const defaultMaxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS
  const defaultTimeout = Duration.fromInputUnsafe(options.timeout ?? DEFAULT_TIMEOUT)
  const checkBeforeConnect = options.checkBeforeConnect ?? true
  const userAgent = options.userAgent ?? "grokit-search/0.1 (+https://github.com/grokit)"
  const lookup = makeGuardedLookup(resolve, allow)

  const check = (url: string | URL) => checkUrl(url, allow)

  /** The pre-connect resolution check (host names only; literals were checked by `checkUrl`). */
  const checkResolved = (url: URL): Effect.Effect<void, GuardedFetchError> => {
    const host = normalizeHostname(url.hostname)
    if (!checkBeforeConnect || allow.allowsHost(host) || literalAddress(host) !== undefined) return Effect.void
    return resolve(host).pipe(
      Effect.catch((cause) =>
        fail(new Transport({ url: url.href, description: `lookup of ${host} failed: ${describeNodeError(cause)}` }))
      ),
      Effect.flatMap((addresses) => {
        const refused = checkAddresses(addresses, allow)
        return refused === undefined
          ? Effect.void
          : fail(new BlockedAddress({ url: url.href, host, ...refused, phase: "resolve" }))
      })
    )
  }

  const fetch = (input: string, fetchOptions: FetchOptions = {}): Effect.Effect<FetchResponse, GuardedFetchError> => {
    const maxBytes = fetchOptions.maxBytes ?? defaultMaxBytes
    const maxRedirects = fetchOptions.maxRedirects ?? defaultMaxRedirects
    const timeout = fetchOptions.timeout === undefined ? defaultTimeout : Duration.fromInputUnsafe(fetchOptions.timeout)
    const baseHeaders: Record<string, string> = {
      "user-agent": userAgent,
      accept: fetchOptions.accept ?? "*/*",
      "accept-encoding": "identity"
    }
    const extraHeaders = fetchOptions.headers ?? {}
    return Effect.gen(function*() {
      let url = yield* check(input)
      const origin = url.origin
      const redirects: Array<string> = []
      for (;;) {
        yield* checkResolved(url)
        const headers = url.origin === origin ? { ...extraHeaders, ...baseHeaders } : { ...baseHeaders }
        const result = yield* hop(url, { maxBytes, headers, lookup })
        if (result._tag === "Body") {
          return {
            url: url.href,
            status: result.status,
            headers: result.headers,
            contentType: result.headers["content-type"],
            body: result.body,
            redirects
          } satisfies FetchResponse
        }
        if (redirects.length >= maxRedirects) {
          return yield* fail(new TooManyRedirects({ url: url.href, maxRedirects }))
        }
        let next: URL
        try {
          next = new URL(result.location, url)
        } catch {
          return yield* fail(
            new InvalidUrl({ url: result.location.slice(0, 2048), description: "invalid redirect location" })
          )
        }
        redirects.push(url.href)
        url = yield* check(next)
      }
    }).pipe(
      Effect.timeoutOrElse({
        duration: timeout,
        orElse: () =>
          fail(new Timeout({ url: String(input).slice(0, 2048), timeoutMillis: Duration.toMillis(timeout) }))
      })
    )
  }

  return { fetch, check }
}

/**
 * The guarded fetcher service.
 *
 * @since 0.1.0
 * @category services
 */
export class GuardedFetch extends Context.Service<GuardedFetch, GuardedFetchService>()(
  "@grokit/search/GuardedFetch"
) {}

/**
 * A layer with a guarded fetcher built from `options`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: GuardedFetchOptions = {}): Layer.Layer<GuardedFetch> =>
  Layer.sync(GuardedFetch, () => make(options))
