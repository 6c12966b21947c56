/**
 * The glue every Grok API call shares: one attempt's failure (a reason and the response
 * headers), transport failures, JSON bodies with in-band error bodies, HTTP error statuses,
 * timeouts per phase, and the retry loop (the reason's `isRetryable`, `x-should-retry`,
 * `Retry-After`, exponential backoff with jitter).
 *
 * @internal
 */
import { Cause, Clock, Duration, Effect, Exit, Random, Redacted, Schema, Scope, Stream } from "effect"
import type { Array as Arr, Pull } from "effect"
import { HttpClient } from "effect/http"
import type { HttpClientError, HttpClientRequest, HttpClientResponse } from "effect/http"
import { errorBodyCode, errorBodyMessage, parseErrorBody } from "../ErrorBody.ts"
import type { CallOptions, GrokClientOptions } from "../GrokClient.ts"
import {
  ErrorInResponse,
  GrokError,
  type GrokErrorReason,
  InvalidResponse,
  reasonFromHttpResponse,
  StreamError,
  Timeout,
  TransportError,
  UnsupportedParameter
} from "../GrokError.ts"
import type { Refusal } from "../ModelCapabilities.ts"
import { backoffMillis, retryAfterMillis, shouldRetry } from "../RetryPolicy.ts"
import * as ValidationIssue from "../ValidationIssue.ts"

/** @internal */
export type Headers = Readonly<Record<string, string | undefined>>

/** What one attempt failed with: the reason, and the headers that may hint at a retry. */
export interface AttemptFailure {
  readonly reason: GrokErrorReason
  readonly headers?: Headers | undefined
}

/**
 * What a client resolves from its options, defaults applied (the base URL aside): its
 * `HttpClient` (through `transformClient`), the retry budget, the timeouts, whether a call's
 * request is checked, and the scrubber of its key.
 */
export const resolveOptions = Effect.fnUntraced(function*(options: GrokClientOptions) {
  const baseHttpClient = yield* HttpClient.HttpClient
  const attemptTimeout = Duration.fromInputUnsafe(options.timeout ?? "15 minutes")
  const validateRequests = options.validateRequests ?? true
  return {
    httpClient: options.transformClient ? options.transformClient(baseHttpClient) : baseHttpClient,
    maxRetries: Math.max(0, Math.floor(options.maxRetries ?? 2)),
    attemptTimeout,
    firstTokenTimeout: Duration.fromInputUnsafe(options.firstTokenTimeout ?? attemptTimeout),
    idleTimeout: Duration.fromInputUnsafe(options.idleTimeout ?? "5 minutes"),
    /** Whether a call's request is checked: the client's `validateRequests`, unless the call says `validate: false`. */
    checks: (call: CallOptions | undefined): boolean => validateRequests && call?.validate !== false,
    scrub: scrubber(options.apiKey)
  }
})

/** @internal */
export const fail = (reason: GrokErrorReason, headers?: Headers) => Effect.fail<AttemptFailure>({ reason, headers })

const describeTransport = (error: HttpClientError.HttpClientError): string => {
  const cause = error.reason.cause as { message?: unknown; code?: unknown; cause?: { code?: unknown } } | undefined
  const code = cause?.code ?? cause?.cause?.code
  const message = typeof cause?.message === "string" ? cause.message : error.reason._tag
  return `${error.request.method} ${new URL(error.request.url).pathname}: ${message}${
    typeof code === "string" ? ` (${code})` : ""
  }`
}

/** A transport failure (refused, reset, DNS...) as an attempt failure. */
export const transport = (error: HttpClientError.HttpClientError): AttemptFailure => ({
  reason: new TransportError({ description: describeTransport(error) })
})

/**
 * The strict Schema check of a request before it is sent: `InvalidRequest` with the Schema's
 * issues, or `undefined` when the request is valid.
 */
export const invalidRequest = (
  method: string,
  decode: (input: unknown) => Exit.Exit<unknown, Schema.SchemaError>,
  request: unknown
): GrokError | undefined => {
  const decoded = decode(request)
  if (decoded._tag === "Success") return undefined
  const error = decoded.cause.reasons.find((reason) => reason._tag === "Fail")?.error
  return GrokError.invalidRequest(method, error === undefined ? [] : ValidationIssue.fromSchemaError(error))
}

/** xAI's documented refusals of a request as `UnsupportedParameter` (the first field, every rule), or `undefined`. */
export const unsupported = (
  method: string,
  model: string,
  refused: ReadonlyArray<Refusal>
): GrokError | undefined =>
  refused.length === 0 ? undefined : new GrokError({
    method,
    reason: new UnsupportedParameter({
      model,
      field: refused[0]!.field,
      rule: refused.map((refusal) => `${refusal.field}: ${refusal.rule}`).join("; ")
    })
  })

/** @internal */
export const invalidResponse = (description: string, error?: Schema.SchemaError): InvalidResponse =>
  new InvalidResponse({ description, issues: error === undefined ? [] : ValidationIssue.fromSchemaError(error) })

/** `JSON.parse`, or `undefined`. */
export const safeParse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Decodes a JSON text with a tolerant Schema, turning an in-band error body into `ErrorInResponse`. */
export const decodeBody = <A>(
  text: string,
  decode: (input: unknown) => Exit.Exit<A, Schema.SchemaError>,
  headers: Headers
): Effect.Effect<A, AttemptFailure> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return fail(invalidResponse(`the body is not JSON: ${text.slice(0, 200)}`))
  }
  const errorBody = parseErrorBody(json)
  if (errorBody !== undefined) {
    return fail(
      new ErrorInResponse({
        serverMessage: errorBodyMessage(errorBody),
        code: errorBodyCode(errorBody),
        inStream: false
      }),
      headers
    )
  }
  const exit = decode(json)
  return exit._tag === "Success"
    ? Effect.succeed(exit.value)
    : fail(
      invalidResponse("the body does not match its Schema", exit.cause.reasons.find((r) => r._tag === "Fail")?.error)
    )
}

/** Reads an error status's body into its reason. */
export const failOnStatus = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<never, AttemptFailure> =>
  Effect.flatMap(
    Effect.mapError(response.text, transport),
    (text) => fail(reasonFromHttpResponse(response.status, response.headers, text), response.headers)
  )

/** Whether the response is an SSE stream. */
export const isEventStream = (response: HttpClientResponse.HttpClientResponse): boolean =>
  (response.headers["content-type"] ?? "").includes("text/event-stream")

/** A 200 that should have been an event stream: an in-band error body, or an invalid response. */
export const notAnEventStream = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<never, AttemptFailure> =>
  Effect.flatMap(Effect.mapError(response.text, transport), (text) => {
    const errorBody = parseErrorBody(safeParse(text))
    return fail(
      errorBody === undefined
        ? invalidResponse(`expected text/event-stream, got ${response.headers["content-type"] ?? "no content type"}`)
        : new ErrorInResponse({
          serverMessage: errorBodyMessage(errorBody),
          code: errorBodyCode(errorBody),
          inStream: false
        }),
      response.headers
    )
  })

/** Bounds an attempt (or one phase of it) in time. */
export const timeoutAttempt = <A>(
  effect: Effect.Effect<A, AttemptFailure>,
  phase: Timeout["phase"],
  after: Duration.Duration
): Effect.Effect<A, AttemptFailure> =>
  Effect.timeoutOrElse(effect, {
    duration: after,
    orElse: () => fail(new Timeout({ phase, after }))
  })

/** One attempt of a JSON call: send, fail on an error status, decode the body; bounded by `after`. */
export const jsonAttempt = <A>(
  httpClient: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  decode: (input: unknown) => Exit.Exit<A, Schema.SchemaError>,
  after: Duration.Duration
): Effect.Effect<A, AttemptFailure> =>
  timeoutAttempt(
    Effect.gen(function*() {
      const response = yield* Effect.mapError(httpClient.execute(request), transport)
      if (response.status < 200 || response.status >= 300) return yield* failOnStatus(response)
      const text = yield* Effect.mapError(response.text, transport)
      return yield* decodeBody(text, decode, response.headers)
    }),
    "attempt",
    after
  )

/** What a stream reader gives: the next decoded events, a failure, or the end. */
export type EventPull<A> = Effect.Effect<Arr.NonEmptyReadonlyArray<A>, AttemptFailure | Cause.Done<void>>

/**
 * One attempt of a streamed call: send, check the status and content type, and read up to the
 * first events, which is the last point where a retry cannot duplicate what the caller saw. The
 * first-token timeout covers the whole wait for them, the response headers included, so a server
 * that never answers is cut too. The socket belongs to a scope forked from `scope`, closed when
 * the attempt fails. What the returned pull fails with later is a `GrokError` of `method`, its
 * reason scrubbed.
 */
export const openEventStream = <A>(options: {
  readonly httpClient: HttpClient.HttpClient
  readonly request: HttpClientRequest.HttpClientRequest
  readonly scope: Scope.Scope
  readonly method: string
  readonly firstTokenTimeout: Duration.Duration
  readonly scrub: (reason: GrokErrorReason) => GrokErrorReason
  /** Reads the body's bytes into events. */
  readonly read: (
    bytes: Pull.Pull<Arr.NonEmptyReadonlyArray<Uint8Array>, HttpClientError.HttpClientError>
  ) => EventPull<A>
  /** The `Truncated` description of a stream that ends before its first event. */
  readonly endedEarly: string
}): Effect.Effect<Pull.Pull<Arr.NonEmptyReadonlyArray<A>, GrokError>, AttemptFailure> =>
  Effect.gen(function*() {
    const attemptScope = yield* Scope.fork(options.scope)
    return yield* Effect.onError(
      Effect.gen(function*() {
        const response = yield* Effect.mapError(options.httpClient.execute(options.request), transport)
        if (response.status < 200 || response.status >= 300) return yield* failOnStatus(response)
        if (!isEventStream(response)) return yield* notAnEventStream(response)
        const bytes = yield* Scope.provide(Stream.toPull(response.stream), attemptScope)
        const pull = options.read(bytes)
        const first = yield* Effect.catch(pull, (failure) =>
          Cause.isDone(failure)
            ? fail(new StreamError({ kind: "Truncated", description: options.endedEarly }))
            : Effect.fail(failure))
        let pending: Arr.NonEmptyReadonlyArray<A> | undefined = first
        const rest: Pull.Pull<Arr.NonEmptyReadonlyArray<A>, GrokError> = Effect.suspend(() => {
          if (pending !== undefined) {
            const events = pending
            pending = undefined
            return Effect.succeed(events)
          }
          return Effect.catch(
            pull,
            (failure): Effect.Effect<never, GrokError | Cause.Done<void>> =>
              Cause.isDone(failure)
                ? Effect.fail(failure)
                : Effect.fail(new GrokError({ method: options.method, reason: options.scrub(failure.reason) }))
          )
        })
        return rest
      }),
      () => Scope.close(attemptScope, Exit.void)
    ).pipe((attempt) => timeoutAttempt(attempt, "first-token", options.firstTokenTimeout))
  })

/**
 * A server or proxy can echo the key back (e.g. in a 401 body): `scrubber(key)` replaces it in a
 * reason's texts, so that the key appears in no error. Only failures pay for the check.
 */
export const scrubber = (apiKey: Redacted.Redacted<string>) => (reason: GrokErrorReason): GrokErrorReason => {
  const secret = Redacted.value(apiKey)
  if (secret === "") return reason
  const scrub = (text: string) => text.split(secret).join("<redacted>")
  let changed = false
  const fields: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(reason)) {
    if (typeof value === "string" && value.includes(secret)) {
      changed = true
      fields[key] = scrub(value)
    } else if (
      key === "issues" &&
      (value as ReadonlyArray<ValidationIssue.ValidationIssue>).some((issue) => issue.message.includes(secret))
    ) {
      changed = true
      fields[key] = (value as ReadonlyArray<ValidationIssue.ValidationIssue>).map((issue) => ({
        ...issue,
        message: scrub(issue.message)
      }))
    } else fields[key] = value
  }
  if (!changed) return reason
  return new (reason.constructor as new(fields: Record<string, unknown>) => GrokErrorReason)(fields)
}

/**
 * Runs an attempt, and again after a retryable failure, at most `maxRetries` more times:
 * waiting the server's hint when it gave one (0 to 60 s), else exponential backoff with jitter.
 * The final reason goes through `scrub` (see `scrubber`).
 */
export const withRetries = <A>(
  maxRetries: number,
  method: string,
  attempt: Effect.Effect<A, AttemptFailure>,
  scrub: (reason: GrokErrorReason) => GrokErrorReason = (reason) => reason
): Effect.Effect<A, GrokError> => {
  const loop = (retryIndex: number): Effect.Effect<A, GrokError> =>
    Effect.catch(attempt, (failure) => {
      if (retryIndex >= maxRetries || !shouldRetry(failure.reason.isRetryable, failure.headers)) {
        return Effect.fail(new GrokError({ method, reason: scrub(failure.reason) }))
      }
      return Effect.flatMap(Effect.zip(Random.next, Clock.currentTimeMillis), ([random, now]) => {
        const hint = failure.headers === undefined ? undefined : retryAfterMillis(failure.headers, now)
        const delay = hint ?? backoffMillis(retryIndex, random)
        return Effect.andThen(Effect.sleep(Duration.millis(delay)), loop(retryIndex + 1))
      })
    })
  return loop(0)
}
