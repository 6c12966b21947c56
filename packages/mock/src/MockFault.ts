/**
 * Faults the mock server injects into its answers, to test how a client copes with what xAI
 * really does: rate limits, exhausted credits, 5xx, errors inside an HTTP 200, errors inside a
 * stream, stalls, dropped connections and truncated streams.
 *
 * A fault is chosen per request with the `x-mock-fault` header, per server with the `faults`
 * option or `handle.setFaults`, or per script entry with `MockScript.fault`. The header holds
 * one or more faults separated by commas, each a name and optional `;key=value` parameters:
 *
 * | header value                                  | effect |
 * | --------------------------------------------- | ------ |
 * | `rate-limit[;retry-after=S][;retry-after-ms=M]` | 429, `{"code":"Some resource has been exhausted","error":"Too many requests..."}`, with `Retry-After: S` (default 1) and/or `retry-after-ms: M`; `retry-after=none` sends neither header |
 * | `quota`                                       | 429 whose message says the team "has either used all available credits or reached its monthly spending limit"; no `Retry-After` |
 * | `server-error[;status=N]`                     | N (default 500; 503 answers `"The service is currently unavailable"`) |
 * | `error-200[;message=TEXT]`                    | HTTP 200, `content-type: application/json`, `{"code":"The service is currently unavailable","error":"Timed out waiting for first token"}`, also for stream requests |
 * | `error-in-stream[;after=K]`                   | K events (default 2), then `data: {"code":...,"error":...}` and the end of the body (no `[DONE]`); a JSON request gets the `error-200` answer |
 * | `stall-before-headers[;ms=N]`                 | no answer at all, or the normal answer after N ms |
 * | `stall-mid-stream[;after=K]`                  | K events (default 2), then silence with the socket open; a JSON request gets half its body |
 * | `drop-mid-stream[;after=K]`                   | K events (default 2), then the socket is destroyed; a JSON request gets half its body |
 * | `truncate[;after=K]`                          | K events (default: every event before the finish chunk), then a clean end without finish chunk, usage or `[DONE]`; a JSON request gets half its body |
 * | `slow-tokens[;ms=N]`                          | N ms (default 50) between stream events; a JSON request waits N ms per text piece |
 *
 * `K` counts SSE events from the first chunk and is capped so that the fault always comes
 * before the finish chunk. When several faults are given, the delays add up, the first status
 * fault (rate-limit, quota, server-error, error-200) wins, and the first stream fault wins.
 *
 * @since 0.1.0
 */
import { Result } from "effect"

/**
 * The request header that selects faults for one request.
 *
 * @since 0.1.0
 * @category constants
 */
export const headerName = "x-mock-fault"

/**
 * 429 Too Many Requests, with `Retry-After` (seconds) and/or `retry-after-ms` headers.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimit {
  readonly _tag: "RateLimit"
  readonly retryAfterSeconds: number | undefined
  readonly retryAfterMs: number | undefined
}

/**
 * 429 because the team's credits or monthly spending limit are used up: not retryable.
 *
 * @since 0.1.0
 * @category models
 */
export interface Quota {
  readonly _tag: "Quota"
}

/**
 * A 5xx answer (500 by default, 503 for "unavailable").
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerError {
  readonly _tag: "ServerError"
  readonly status: number
}

/**
 * HTTP 200 with an error body instead of a completion, as xAI sends when overloaded.
 *
 * @since 0.1.0
 * @category models
 */
export interface Error200 {
  readonly _tag: "Error200"
  readonly message: string
}

/**
 * Some stream events, then an error event `data: {"code":...,"error":...}`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorInStream {
  readonly _tag: "ErrorInStream"
  readonly after: number | undefined
}

/**
 * No response headers: forever (`ms` undefined), or for `ms` milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface StallBeforeHeaders {
  readonly _tag: "StallBeforeHeaders"
  readonly ms: number | undefined
}

/**
 * Some stream events, then silence with the connection open.
 *
 * @since 0.1.0
 * @category models
 */
export interface StallMidStream {
  readonly _tag: "StallMidStream"
  readonly after: number | undefined
}

/**
 * Some stream events, then the socket is destroyed.
 *
 * @since 0.1.0
 * @category models
 */
export interface DropMidStream {
  readonly _tag: "DropMidStream"
  readonly after: number | undefined
}

/**
 * Some stream events, then a clean end of the body without finish chunk, usage or `[DONE]`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Truncate {
  readonly _tag: "Truncate"
  readonly after: number | undefined
}

/**
 * A delay of `ms` milliseconds between stream events.
 *
 * @since 0.1.0
 * @category models
 */
export interface SlowTokens {
  readonly _tag: "SlowTokens"
  readonly ms: number
}

/**
 * Any fault.
 *
 * @since 0.1.0
 * @category models
 */
export type Fault =
  | RateLimit
  | Quota
  | ServerError
  | Error200
  | ErrorInStream
  | StallBeforeHeaders
  | StallMidStream
  | DropMidStream
  | Truncate
  | SlowTokens

/**
 * Faults for a whole server: `next[i]` applies to the i-th next chat completion request (one
 * each, consumed in order), and every fault of `every` applies to every chat completion request.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultPlan {
  readonly next?: ReadonlyArray<Fault> | undefined
  readonly every?: ReadonlyArray<Fault> | undefined
}

/**
 * A 429 rate limit. Without options it sends `Retry-After: 1`; with options it sends only the
 * headers asked for (`retryAfterSeconds: undefined` and no `retryAfterMs` sends none).
 *
 * @example
 * ```ts
 * import { MockFault } from "@grokit/mock"
 *
 * MockFault.rateLimit({ retryAfterMs: 250 })
 * // => { _tag: "RateLimit", retryAfterSeconds: undefined, retryAfterMs: 250 }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const rateLimit = (
  options?: { readonly retryAfterSeconds?: number | undefined; readonly retryAfterMs?: number | undefined }
): RateLimit =>
  options === undefined
    ? { _tag: "RateLimit", retryAfterSeconds: 1, retryAfterMs: undefined }
    : { _tag: "RateLimit", retryAfterSeconds: options.retryAfterSeconds, retryAfterMs: options.retryAfterMs }

/**
 * A 429 for exhausted credits or spending limit.
 *
 * @since 0.1.0
 * @category constructors
 */
export const quota = (): Quota => ({ _tag: "Quota" })

/**
 * A 5xx answer.
 *
 * @example
 * ```ts
 * import { MockFault } from "@grokit/mock"
 *
 * MockFault.serverError(503) // => { _tag: "ServerError", status: 503 }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const serverError = (status: number = 500): ServerError => ({ _tag: "ServerError", status })

/**
 * HTTP 200 with an error body.
 *
 * @since 0.1.0
 * @category constructors
 */
export const error200 = (message: string = "Timed out waiting for first token"): Error200 => ({
  _tag: "Error200",
  message
})

/**
 * An error event after `after` stream events (default 2).
 *
 * @since 0.1.0
 * @category constructors
 */
export const errorInStream = (options?: { readonly after?: number | undefined }): ErrorInStream => ({
  _tag: "ErrorInStream",
  after: options?.after
})

/**
 * No headers for `ms` milliseconds, or never when `ms` is not given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const stallBeforeHeaders = (options?: { readonly ms?: number | undefined }): StallBeforeHeaders => ({
  _tag: "StallBeforeHeaders",
  ms: options?.ms
})

/**
 * Silence after `after` stream events (default 2).
 *
 * @since 0.1.0
 * @category constructors
 */
export const stallMidStream = (options?: { readonly after?: number | undefined }): StallMidStream => ({
  _tag: "StallMidStream",
  after: options?.after
})

/**
 * A destroyed socket after `after` stream events (default 2).
 *
 * @since 0.1.0
 * @category constructors
 */
export const dropMidStream = (options?: { readonly after?: number | undefined }): DropMidStream => ({
  _tag: "DropMidStream",
  after: options?.after
})

/**
 * A clean end after `after` stream events (default: all before the finish chunk).
 *
 * @since 0.1.0
 * @category constructors
 */
export const truncate = (options?: { readonly after?: number | undefined }): Truncate => ({
  _tag: "Truncate",
  after: options?.after
})

/**
 * `ms` milliseconds between stream events (default 50).
 *
 * @since 0.1.0
 * @category constructors
 */
export const slowTokens = (ms: number = 50): SlowTokens => ({ _tag: "SlowTokens", ms })

/**
 * The fault names of the header, in the order of the table above.
 *
 * @since 0.1.0
 * @category constants
 */
export const names: ReadonlyArray<string> = [
  "rate-limit",
  "quota",
  "server-error",
  "error-200",
  "error-in-stream",
  "stall-before-headers",
  "stall-mid-stream",
  "drop-mid-stream",
  "truncate",
  "slow-tokens"
]

const optionalCount = (value: number | undefined, key: string): string => value === undefined ? "" : `;${key}=${value}`

/**
 * The header text of one fault; `parse` reads it back.
 *
 * @example
 * ```ts
 * import { MockFault } from "@grokit/mock"
 *
 * MockFault.format(MockFault.rateLimit({ retryAfterSeconds: 2 })) // => "rate-limit;retry-after=2"
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (fault: Fault): string => {
  switch (fault._tag) {
    case "RateLimit":
      return fault.retryAfterSeconds === undefined && fault.retryAfterMs === undefined
        ? "rate-limit;retry-after=none"
        : `rate-limit${optionalCount(fault.retryAfterSeconds, "retry-after")}${
          optionalCount(fault.retryAfterMs, "retry-after-ms")
        }`
    case "Quota":
      return "quota"
    case "ServerError":
      return `server-error;status=${fault.status}`
    case "Error200":
      return `error-200;message=${encodeURIComponent(fault.message)}`
    case "ErrorInStream":
      return `error-in-stream${optionalCount(fault.after, "after")}`
    case "StallBeforeHeaders":
      return `stall-before-headers${optionalCount(fault.ms, "ms")}`
    case "StallMidStream":
      return `stall-mid-stream${optionalCount(fault.after, "after")}`
    case "DropMidStream":
      return `drop-mid-stream${optionalCount(fault.after, "after")}`
    case "Truncate":
      return `truncate${optionalCount(fault.after, "after")}`
    case "SlowTokens":
      return `slow-tokens;ms=${fault.ms}`
  }
}

/**
 * The header text of several faults, separated by commas.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatAll = (faults: ReadonlyArray<Fault>): string => faults.map(format).join(",")

const safelyDecode = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

const parseOne = (text: string): Result.Result<Fault, string> => {
  const [rawName = "", ...rawParameters] = text.split(";")
  const name = rawName.trim().toLowerCase()
  const parameters = new Map<string, string>()
  for (const rawParameter of rawParameters) {
    const equals = rawParameter.indexOf("=")
    const key = (equals === -1 ? rawParameter : rawParameter.slice(0, equals)).trim().toLowerCase()
    const value = equals === -1 ? "" : rawParameter.slice(equals + 1).trim()
    if (key !== "") parameters.set(key, value)
  }
  const known = (...keys: ReadonlyArray<string>): string | undefined => {
    for (const key of parameters.keys()) {
      if (!keys.includes(key)) return `unknown parameter '${key}' for fault '${name}'`
    }
    return undefined
  }
  let invalid: string | undefined
  const count = (key: string): number | undefined => {
    const value = parameters.get(key)
    if (value === undefined) return undefined
    const parsed = Number(value)
    if (value === "" || !Number.isFinite(parsed) || parsed < 0) {
      invalid ??= `parameter '${key}' of fault '${name}' must be a non-negative number, got '${value}'`
      return undefined
    }
    return parsed
  }
  const done = (unknownKey: string | undefined, fault: Fault): Result.Result<Fault, string> => {
    const problem = unknownKey ?? invalid
    return problem === undefined ? Result.succeed(fault) : Result.fail(problem)
  }
  switch (name) {
    case "rate-limit": {
      const unknownKey = known("retry-after", "retry-after-ms")
      if (parameters.get("retry-after")?.toLowerCase() === "none") {
        return done(unknownKey, rateLimit({ retryAfterSeconds: undefined, retryAfterMs: count("retry-after-ms") }))
      }
      if (!parameters.has("retry-after") && !parameters.has("retry-after-ms")) return done(unknownKey, rateLimit())
      return done(
        unknownKey,
        rateLimit({ retryAfterSeconds: count("retry-after"), retryAfterMs: count("retry-after-ms") })
      )
    }
    case "quota":
      return done(known(), quota())
    case "server-error":
      return done(known("status"), serverError(count("status") ?? 500))
    case "error-200": {
      const message = parameters.get("message")
      return done(known("message"), error200(message === undefined ? undefined : safelyDecode(message)))
    }
    case "error-in-stream":
      return done(known("after"), errorInStream({ after: count("after") }))
    case "stall-before-headers":
      return done(known("ms"), stallBeforeHeaders({ ms: count("ms") }))
    case "stall-mid-stream":
      return done(known("after"), stallMidStream({ after: count("after") }))
    case "drop-mid-stream":
      return done(known("after"), dropMidStream({ after: count("after") }))
    case "truncate":
      return done(known("after"), truncate({ after: count("after") }))
    case "slow-tokens":
      return done(known("ms"), slowTokens(count("ms") ?? 50))
    default:
      return Result.fail(`unknown fault '${name}'; known faults: ${names.join(", ")}`)
  }
}

/**
 * Reads the `x-mock-fault` header: one or more faults separated by commas. Fails with a message
 * naming the unknown fault or parameter.
 *
 * @example
 * ```ts
 * import { MockFault } from "@grokit/mock"
 * import { Result } from "effect"
 *
 * Result.getOrThrow(MockFault.parse("slow-tokens;ms=10, drop-mid-stream;after=3"))
 * // => [{ _tag: "SlowTokens", ms: 10 }, { _tag: "DropMidStream", after: 3 }]
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (header: string): Result.Result<ReadonlyArray<Fault>, string> => {
  const faults: Array<Fault> = []
  for (const part of header.split(",")) {
    if (part.trim() === "") continue
    const parsed = parseOne(part)
    if (Result.isFailure(parsed)) return Result.fail(parsed.failure)
    faults.push(parsed.success)
  }
  return Result.succeed(faults)
}
