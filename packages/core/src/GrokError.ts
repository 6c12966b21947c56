/**
 * `GrokError`: the one error that leaves `@grokit/core`. Its `reason` says what went wrong, in a
 * union mapped in one place from HTTP status, body and transport failures, and each reason knows
 * whether trying again can help (`isRetryable`). No reason ever holds the API key.
 *
 * @since 0.1.0
 */
import { Data, Duration } from "effect"
import type { ChatCompletion } from "./ChatCompletion.ts"
import { errorBodyCode, errorBodyMessage, parseErrorBody } from "./ErrorBody.ts"
import { retryAfterMillis } from "./RetryPolicy.ts"
import * as ValidationIssue from "./ValidationIssue.ts"

const LIVE_SEARCH_MESSAGE = "Live Search (search_parameters) was removed by xAI: chat completions that carry it get " +
  "HTTP 410. Use the server-side web_search / x_search tools on the Responses API instead: " +
  "SearchPlan.fromSearchParameters(search_parameters) of @grokit/search plans them (web -> web_search, " +
  "x -> x_search, rss and news -> local adapters, with a typed warning for each setting that has no equivalent), " +
  "and SearchAgent.run runs an agent with the plan."

/**
 * The request is invalid before it is sent: each issue names the field and the rule it broke.
 *
 * @since 0.1.0
 * @category reasons
 */
export class InvalidRequest extends Data.TaggedClass("InvalidRequest")<{
  readonly issues: ReadonlyArray<ValidationIssue.ValidationIssue>
}> {
  get isRetryable(): boolean {
    return false
  }
  get message(): string {
    return `invalid request:\n${ValidationIssue.formatIssues(this.issues)}`
  }
}

/**
 * The model does not accept a parameter (e.g. `stop` on a reasoning model), known without a round
 * trip.
 *
 * @since 0.1.0
 * @category reasons
 */
export class UnsupportedParameter extends Data.TaggedClass("UnsupportedParameter")<{
  readonly model: string
  /** The first refused field. */
  readonly field: string
  /** Every refusal, as `field: rule`, separated by `; `. */
  readonly rule: string
}> {
  get isRetryable(): boolean {
    return false
  }
  get message(): string {
    return `${this.rule} (model ${this.model})`
  }
}

/**
 * The request carried `search_parameters`, which xAI removed (HTTP 410).
 *
 * @since 0.1.0
 * @category reasons
 */
export class LiveSearchRemoved extends Data.TaggedClass("LiveSearchRemoved")<{
  readonly serverMessage?: string | undefined
}> {
  get isRetryable(): boolean {
    return false
  }
  get message(): string {
    return LIVE_SEARCH_MESSAGE
  }
}

/**
 * xAI answered with an HTTP error status. `kind` names the class of status.
 *
 * @since 0.1.0
 * @category reasons
 */
export class HttpStatusError extends Data.TaggedClass("HttpStatusError")<{
  readonly kind:
    | "BadRequest"
    | "Authentication"
    | "PermissionDenied"
    | "NotFound"
    | "Conflict"
    | "Unprocessable"
    | "ServerError"
    | "Other"
  readonly status: number
  readonly serverMessage: string
  readonly code?: string | undefined
  readonly retryable: boolean
}> {
  get isRetryable(): boolean {
    return this.retryable
  }
  get message(): string {
    const hint = this.kind === "Authentication" || (this.status === 400 && /api key/i.test(this.serverMessage))
      ? " (check XAI_API_KEY)"
      : ""
    return `HTTP ${this.status} ${this.kind}: ${this.serverMessage}${hint}`
  }
}

/**
 * HTTP 429: too many requests or tokens per minute. Retryable, after `retryAfter` when the server
 * said how long.
 *
 * @since 0.1.0
 * @category reasons
 */
export class RateLimited extends Data.TaggedClass("RateLimited")<{
  readonly serverMessage: string
  readonly retryAfter?: Duration.Duration | undefined
}> {
  get isRetryable(): boolean {
    return true
  }
  get message(): string {
    const after = this.retryAfter === undefined ? "" : ` (retry after ${Duration.format(this.retryAfter)})`
    return `rate limited${after}: ${this.serverMessage}`
  }
}

/**
 * HTTP 429 whose body says the credits or the spending limit are used up. Waiting does not help.
 *
 * @since 0.1.0
 * @category reasons
 */
export class QuotaExhausted extends Data.TaggedClass("QuotaExhausted")<{
  readonly serverMessage: string
}> {
  get isRetryable(): boolean {
    return false
  }
  get message(): string {
    return `quota exhausted: ${this.serverMessage}`
  }
}

/**
 * An error body arrived inside an HTTP 200, as a JSON body or as an event of the stream.
 *
 * @since 0.1.0
 * @category reasons
 */
export class ErrorInResponse extends Data.TaggedClass("ErrorInResponse")<{
  readonly serverMessage: string
  readonly code?: string | undefined
  readonly inStream: boolean
}> {
  get isRetryable(): boolean {
    return true
  }
  get message(): string {
    return `xAI reported an error${this.inStream ? " inside the stream" : " with HTTP 200"}: ${this.serverMessage}` +
      (this.code === undefined ? "" : ` (${this.code})`)
  }
}

/**
 * A time limit passed: the whole attempt, the wait for the first byte, or the gap between two
 * stream events.
 *
 * @since 0.1.0
 * @category reasons
 */
export class Timeout extends Data.TaggedClass("Timeout")<{
  readonly phase: "attempt" | "first-token" | "idle"
  readonly after: Duration.Duration
}> {
  get isRetryable(): boolean {
    return true
  }
  get message(): string {
    const what = this.phase === "attempt"
      ? "the request did not complete"
      : this.phase === "first-token"
      ? "no response byte arrived"
      : "the stream went silent"
    return `timeout: ${what} within ${Duration.format(this.after)}`
  }
}

/**
 * The connection failed: refused, reset, closed early, DNS.
 *
 * @since 0.1.0
 * @category reasons
 */
export class TransportError extends Data.TaggedClass("TransportError")<{
  readonly description: string
}> {
  get isRetryable(): boolean {
    return true
  }
  get message(): string {
    return `transport failure: ${this.description}`
  }
}

/**
 * The response does not match its Schema (or is not JSON).
 *
 * @since 0.1.0
 * @category reasons
 */
export class InvalidResponse extends Data.TaggedClass("InvalidResponse")<{
  readonly description: string
  readonly issues: ReadonlyArray<ValidationIssue.ValidationIssue>
}> {
  get isRetryable(): boolean {
    return false
  }
  get message(): string {
    return `invalid response: ${this.description}` +
      (this.issues.length === 0 ? "" : `\n${ValidationIssue.formatIssues(this.issues)}`)
  }
}

/**
 * The stream ended without `data: [DONE]` and without a finish reason, or in the middle of an
 * event, or one event exceeded the size cap.
 *
 * @since 0.1.0
 * @category reasons
 */
export class StreamError extends Data.TaggedClass("StreamError")<{
  readonly kind: "Truncated" | "EventTooLarge"
  readonly description: string
}> {
  get isRetryable(): boolean {
    return this.kind === "Truncated"
  }
  get message(): string {
    return `stream ${this.kind === "Truncated" ? "truncated" : "event too large"}: ${this.description}`
  }
}

/**
 * Every reason a `GrokError` can have.
 *
 * @since 0.1.0
 * @category models
 */
export type GrokErrorReason =
  | InvalidRequest
  | UnsupportedParameter
  | LiveSearchRemoved
  | HttpStatusError
  | RateLimited
  | QuotaExhausted
  | ErrorInResponse
  | Timeout
  | TransportError
  | InvalidResponse
  | StreamError

/**
 * The error of every `GrokClient` call and of the request mappings in `@grokit/core`.
 *
 * @example
 * ```ts
 * import { GrokError, RateLimited } from "@grokit/core"
 *
 * const error = new GrokError({ method: "createChatCompletion", reason: new RateLimited({ serverMessage: "slow down" }) })
 * error.isRetryable // => true
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class GrokError extends Data.TaggedError("GrokError")<{
  readonly method: string
  readonly reason: GrokErrorReason
  /**
   * What a stream had delivered before it failed (text, tool calls, the last usage), when it
   * failed after its first event.
   */
  readonly partial?: ChatCompletion | undefined
}> {
  /**
   * Whether trying the same request again can succeed.
   */
  get isRetryable(): boolean {
    return this.reason.isRetryable
  }

  override get message(): string {
    return `${this.method}: ${this.reason.message}`
  }

  /**
   * A `GrokError` for a request that failed validation.
   */
  static invalidRequest(method: string, issues: ReadonlyArray<ValidationIssue.ValidationIssue>): GrokError {
    return new GrokError({ method, reason: new InvalidRequest({ issues }) })
  }
}

/**
 * Whether a value is a `GrokError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isGrokError = (value: unknown): value is GrokError => value instanceof GrokError

const MAX_MESSAGE_LENGTH = 2_000

const serverMessageOf = (status: number, bodyText: string): { message: string; code: string | undefined } => {
  let parsed: unknown
  try {
    parsed = JSON.parse(bodyText)
  } catch {
    parsed = undefined
  }
  const body = parseErrorBody(parsed)
  if (body !== undefined) return { message: errorBodyMessage(body), code: errorBodyCode(body) }
  const text = bodyText.trim()
  return {
    message: text === ""
      ? `HTTP ${status}`
      : text.length > MAX_MESSAGE_LENGTH
      ? `${text.slice(0, MAX_MESSAGE_LENGTH)}...`
      : text,
    code: undefined
  }
}

const QUOTA_PATTERN = /credits|spending limit/i
const LIVE_SEARCH_PATTERN = /live search/i

/**
 * Maps an HTTP error response (status, headers, body text) to its reason. This is the one place
 * where statuses become reasons: 400, 401, 403, 404, 409, 410, 422, 429 (rate limit or quota),
 * 5xx, and the rest. 408, 409, 429 and 5xx are retryable.
 *
 * @since 0.1.0
 * @category constructors
 */
export const reasonFromHttpResponse = (
  status: number,
  headers: Readonly<Record<string, string | undefined>>,
  bodyText: string,
  nowMillis: number = Date.now()
): GrokErrorReason => {
  const { code, message } = serverMessageOf(status, bodyText)
  const statusError = (kind: HttpStatusError["kind"], retryable: boolean) =>
    new HttpStatusError({ kind, status, serverMessage: message, code, retryable })
  switch (status) {
    case 400:
      return statusError("BadRequest", false)
    case 401:
      return statusError("Authentication", false)
    case 403:
      return statusError("PermissionDenied", false)
    case 404:
      return statusError("NotFound", false)
    case 408:
      return statusError("Other", true)
    case 409:
      return statusError("Conflict", true)
    case 410:
      return LIVE_SEARCH_PATTERN.test(message)
        ? new LiveSearchRemoved({ serverMessage: message })
        : statusError("Other", false)
    case 422:
      return statusError("Unprocessable", false)
    case 429: {
      if (QUOTA_PATTERN.test(message)) return new QuotaExhausted({ serverMessage: message })
      const hint = retryAfterMillis(headers, nowMillis)
      return new RateLimited({
        serverMessage: message,
        retryAfter: hint === undefined ? undefined : Duration.millis(hint)
      })
    }
    default:
      return status >= 500 ? statusError("ServerError", true) : statusError("Other", false)
  }
}
