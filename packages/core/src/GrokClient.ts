/**
 * `GrokClient`: the Grok API as an Effect service. Create a chat completion, stream one (a
 * `Stream` of decoded chunks, foldable into the same completion with `GrokClient.collect`), and
 * list models.
 *
 * Every call is checked before it is sent (the request Schema, and what xAI is documented to
 * refuse), retried on retryable failures (2 retries by default, exponential backoff from 0.5 s
 * capped at 8 s with jitter, `Retry-After` honoured between 0 and 60 s), bounded by timeouts
 * (the whole attempt, the first streamed event, the gap between two events), and never retried
 * once a streamed event has been delivered. Interruption aborts the request and closes its socket.
 * The API key is a `Redacted` and appears in no error, log or trace.
 *
 * @since 0.1.0
 */
import {
  Cause,
  Clock,
  Config,
  Context,
  Duration,
  Effect,
  Exit,
  Layer,
  Random,
  Redacted,
  Schema,
  Scope,
  Stream
} from "effect"
import type { Array as Arr, Pull } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import type { HttpClientError, HttpClientResponse } from "effect/http"
import { SchemaJITCompiler } from "effect/schema"
import { type ChatCompletion, ChatCompletion as ChatCompletionSchema } from "./ChatCompletion.ts"
import * as ChatCompletionAccumulator from "./ChatCompletionAccumulator.ts"
import type { ChatCompletionChunk } from "./ChatCompletionChunk.ts"
import { ChatCompletionRequest } from "./ChatCompletionRequest.ts"
import { errorBodyCode, errorBodyMessage, parseErrorBody } from "./ErrorBody.ts"
import {
  ErrorInResponse,
  GrokError,
  type GrokErrorReason,
  InvalidResponse,
  LiveSearchRemoved,
  reasonFromHttpResponse,
  StreamError,
  Timeout,
  TransportError,
  UnsupportedParameter
} from "./GrokError.ts"
import * as ChunkReader from "./internal/ChunkReader.ts"
import { type Model, Model as ModelSchema, type ModelList, ModelList as ModelListSchema } from "./Model.ts"
import { refusals } from "./ModelCapabilities.ts"
import { backoffMillis, retryAfterMillis, shouldRetry } from "./RetryPolicy.ts"
import * as ValidationIssue from "./ValidationIssue.ts"
import { strictParseOptions, tolerantParseOptions } from "./WireSchema.ts"

/**
 * xAI's API base URL.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_BASE_URL = "https://api.x.ai/v1"

/**
 * Options of a client.
 *
 * @since 0.1.0
 * @category models
 */
export interface GrokClientOptions {
  /** The API key, as a `Redacted` so it never prints. */
  readonly apiKey: Redacted.Redacted<string>
  /** The API base URL. Default `https://api.x.ai/v1`. */
  readonly baseUrl?: string | undefined
  /** Retries after a retryable failure. Default 2 (3 attempts in all). */
  readonly maxRetries?: number | undefined
  /** Limit on one whole attempt of a non-streaming call. Default 15 minutes: reasoning models are slow. */
  readonly timeout?: Duration.Input | undefined
  /** Limit on the wait for a stream's first event. Default: `timeout`. */
  readonly firstTokenTimeout?: Duration.Input | undefined
  /** Limit on the gap between two stream events. Default 5 minutes (xAI can be silent while it writes tool arguments). */
  readonly idleTimeout?: Duration.Input | undefined
  /** Largest size of one stream event. Default 10 MiB. */
  readonly maxEventBytes?: number | undefined
  /** Sent as `x-grok-conv-id` on every call, for prompt-cache affinity. */
  readonly conversationId?: string | undefined
  /** Check requests with the Schema and xAI's documented refusals before sending. Default true. */
  readonly validateRequests?: boolean | undefined
  /** Wraps the HTTP client, e.g. to add logging or headers. */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * Options of one call.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  /** Sent as `x-grok-conv-id`, for prompt-cache affinity; overrides the client's. */
  readonly conversationId?: string | undefined
}

/**
 * The operations of the client.
 *
 * @since 0.1.0
 * @category models
 */
export interface GrokClientService {
  /** The base URL this client talks to. */
  readonly baseUrl: string
  /** Creates a chat completion (`stream` is forced off). */
  readonly createChatCompletion: (
    request: ChatCompletionRequest,
    options?: CallOptions
  ) => Effect.Effect<ChatCompletion, GrokError>
  /**
   * Streams a chat completion: the decoded chunks, up to `data: [DONE]`. `stream` is forced on,
   * and `stream_options.include_usage` defaults to true so usage is never lost.
   */
  readonly streamChatCompletion: (
    request: ChatCompletionRequest,
    options?: CallOptions
  ) => Stream.Stream<ChatCompletionChunk, GrokError>
  /** Lists the models the key can use. */
  readonly listModels: Effect.Effect<ModelList, GrokError>
  /** Reads one model. */
  readonly getModel: (id: string) => Effect.Effect<Model, GrokError>
}

interface AttemptFailure {
  readonly reason: GrokErrorReason
  readonly headers?: Readonly<Record<string, string | undefined>> | undefined
}

const fail = (reason: GrokErrorReason, headers?: Readonly<Record<string, string | undefined>>) =>
  Effect.fail<AttemptFailure>({ reason, headers })

const describeTransport = (error: HttpClientError.HttpClientError): string => {
  const cause = error.reason.cause as { message?: unknown; code?: unknown; cause?: { code?: unknown } } | undefined
  const code = cause?.code ?? cause?.cause?.code
  const message = typeof cause?.message === "string" ? cause.message : error.reason._tag
  return `${error.request.method} ${new URL(error.request.url).pathname}: ${message}${
    typeof code === "string" ? ` (${code})` : ""
  }`
}

const transport = (error: HttpClientError.HttpClientError): AttemptFailure => ({
  reason: new TransportError({ description: describeTransport(error) })
})

// The Schemas of every call (the request check, the completion) are JIT-compiled: valid values
// take the compiled fast path, invalid ones the interpreter, so the issues reported are the same.
SchemaJITCompiler.enable(ChatCompletionSchema.ast)
SchemaJITCompiler.enable(ChatCompletionRequest.ast)
const decodeCompletion = Schema.decodeUnknownExit(ChatCompletionSchema, tolerantParseOptions)
const decodeModelList = Schema.decodeUnknownExit(ModelListSchema, tolerantParseOptions)
const decodeModel = Schema.decodeUnknownExit(ModelSchema, tolerantParseOptions)
const decodeRequest = Schema.decodeUnknownExit(ChatCompletionRequest, strictParseOptions)

const invalidResponse = (description: string, error?: Schema.SchemaError): InvalidResponse =>
  new InvalidResponse({ description, issues: error === undefined ? [] : ValidationIssue.fromSchemaError(error) })

const safeParse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Decodes a JSON text with a tolerant Schema, turning an in-band error body into `ErrorInResponse`. */
const decodeBody = <A>(
  text: string,
  decode: (input: unknown) => Exit.Exit<A, Schema.SchemaError>,
  headers: Readonly<Record<string, string | undefined>>
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

const failOnStatus = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<never, AttemptFailure> =>
  Effect.flatMap(
    Effect.mapError(response.text, transport),
    (text) => fail(reasonFromHttpResponse(response.status, response.headers, text), response.headers)
  )

const isEventStream = (response: HttpClientResponse.HttpClientResponse): boolean =>
  (response.headers["content-type"] ?? "").includes("text/event-stream")

/**
 * Creates a client from its options. Requires an `HttpClient` (e.g. `NodeHttpClient.layerUndici`
 * from `@effect/platform-node`, or `FetchHttpClient.layer`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: GrokClientOptions) {
  const baseHttpClient = yield* HttpClient.HttpClient
  const httpClient = options.transformClient ? options.transformClient(baseHttpClient) : baseHttpClient
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")
  const maxRetries = Math.max(0, Math.floor(options.maxRetries ?? 2))
  const attemptTimeout = Duration.fromInputUnsafe(options.timeout ?? "15 minutes")
  const firstTokenTimeout = Duration.fromInputUnsafe(options.firstTokenTimeout ?? attemptTimeout)
  const idleTimeout = Duration.fromInputUnsafe(options.idleTimeout ?? "5 minutes")
  const validateRequests = options.validateRequests ?? true

  const baseRequest = (method: "GET" | "POST", path: string, call?: CallOptions) => {
    let request = (method === "GET" ? HttpClientRequest.get : HttpClientRequest.post)(baseUrl + path).pipe(
      HttpClientRequest.bearerToken(options.apiKey)
    )
    const conversationId = call?.conversationId ?? options.conversationId
    if (conversationId !== undefined) request = HttpClientRequest.setHeader(request, "x-grok-conv-id", conversationId)
    return request
  }

  /**
   * A server or proxy can echo the key back (e.g. in a 401 body): it is replaced in the reason's
   * texts, so that the key appears in no error. Only failures pay for the check.
   */
  const scrubReason = (reason: GrokErrorReason): GrokErrorReason => {
    const secret = Redacted.value(options.apiKey)
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

  const withRetries = <A>(method: string, attempt: Effect.Effect<A, AttemptFailure>): Effect.Effect<A, GrokError> => {
    const loop = (retryIndex: number): Effect.Effect<A, GrokError> =>
      Effect.catch(attempt, (failure) => {
        if (retryIndex >= maxRetries || !shouldRetry(failure.reason.isRetryable, failure.headers)) {
          return Effect.fail(new GrokError({ method, reason: scrubReason(failure.reason) }))
        }
        return Effect.flatMap(Effect.zip(Random.next, Clock.currentTimeMillis), ([random, now]) => {
          const hint = failure.headers === undefined ? undefined : retryAfterMillis(failure.headers, now)
          const delay = hint ?? backoffMillis(retryIndex, random)
          return Effect.andThen(Effect.sleep(Duration.millis(delay)), loop(retryIndex + 1))
        })
      })
    return loop(0)
  }

  const checkRequest = (method: string, request: ChatCompletionRequest): GrokError | undefined => {
    if (!validateRequests) return undefined
    const decoded = decodeRequest(request)
    if (decoded._tag === "Failure") {
      const error = decoded.cause.reasons.find((reason) => reason._tag === "Fail")?.error
      return GrokError.invalidRequest(method, error === undefined ? [] : ValidationIssue.fromSchemaError(error))
    }
    const refused = refusals(request)
    if (refused.length === 0) return undefined
    if (refused[0]!.field === "search_parameters") return new GrokError({ method, reason: new LiveSearchRemoved({}) })
    const first = refused[0]!
    return new GrokError({
      method,
      reason: new UnsupportedParameter({
        model: request.model,
        field: first.field,
        rule: refused.map((refusal) => `${refusal.field}: ${refusal.rule}`).join("; ")
      })
    })
  }

  const timeoutAttempt = <A>(
    effect: Effect.Effect<A, AttemptFailure>,
    phase: Timeout["phase"],
    after: Duration.Duration
  ) =>
    Effect.timeoutOrElse(effect, {
      duration: after,
      orElse: () => fail(new Timeout({ phase, after }))
    })

  const getJson = <A>(
    method: string,
    path: string,
    decode: (input: unknown) => Exit.Exit<A, Schema.SchemaError>
  ): Effect.Effect<A, GrokError> =>
    withRetries(
      method,
      timeoutAttempt(
        Effect.gen(function*() {
          const response = yield* Effect.mapError(httpClient.execute(baseRequest("GET", path)), transport)
          if (response.status < 200 || response.status >= 300) return yield* failOnStatus(response)
          const text = yield* Effect.mapError(response.text, transport)
          return yield* decodeBody(text, decode, response.headers)
        }),
        "attempt",
        attemptTimeout
      )
    )

  const createChatCompletion = (
    request: ChatCompletionRequest,
    call?: CallOptions
  ): Effect.Effect<ChatCompletion, GrokError> =>
    Effect.suspend(() => {
      const invalid = checkRequest("createChatCompletion", request)
      if (invalid !== undefined) return Effect.fail(invalid)
      const body = request.stream === true || request.stream_options !== undefined
        ? { ...request, stream: false, stream_options: undefined }
        : request
      const httpRequest = HttpClientRequest.bodyJsonUnsafe(baseRequest("POST", "/chat/completions", call), body)
      return withRetries(
        "createChatCompletion",
        timeoutAttempt(
          Effect.gen(function*() {
            const response = yield* Effect.mapError(httpClient.execute(httpRequest), transport)
            if (response.status < 200 || response.status >= 300) return yield* failOnStatus(response)
            const text = yield* Effect.mapError(response.text, transport)
            return yield* decodeBody(text, decodeCompletion, response.headers)
          }),
          "attempt",
          attemptTimeout
        )
      )
    })

  const streamChatCompletion = (
    request: ChatCompletionRequest,
    call?: CallOptions
  ): Stream.Stream<ChatCompletionChunk, GrokError> =>
    Stream.unwrap(Effect.gen(function*() {
      const method = "streamChatCompletion"
      const invalid = checkRequest(method, request)
      if (invalid !== undefined) return yield* Effect.fail(invalid)
      const body = {
        ...request,
        stream: true,
        stream_options: request.stream_options ?? { include_usage: true }
      }
      const httpRequest = HttpClientRequest.bodyJsonUnsafe(
        HttpClientRequest.setHeader(baseRequest("POST", "/chat/completions", call), "accept", "text/event-stream"),
        body
      )
      const scope = yield* Effect.scope
      const pull = yield* withRetries(method, openStream(httpRequest, scope))
      return Stream.fromPull(Effect.succeed(pull))
    }))

  /**
   * One attempt: send, check the status and content type, and read up to the first chunk, which
   * is the last point where a retry cannot duplicate what the caller saw.
   */
  const openStream = (httpRequest: HttpClientRequest.HttpClientRequest, streamScope: Scope.Scope) =>
    Effect.gen(function*() {
      const attemptScope = yield* Scope.fork(streamScope)
      // The first-token timeout covers the whole wait for the first chunk, the response headers
      // included, so a server that never answers is cut too.
      return yield* Effect.onError(
        Effect.gen(function*() {
          const response = yield* Effect.mapError(httpClient.execute(httpRequest), transport)
          if (response.status < 200 || response.status >= 300) return yield* failOnStatus(response)
          if (!isEventStream(response)) {
            const text = yield* Effect.mapError(response.text, transport)
            const errorBody = parseErrorBody(safeParse(text))
            return yield* fail(
              errorBody === undefined
                ? invalidResponse(
                  `expected text/event-stream, got ${response.headers["content-type"] ?? "no content type"}`
                )
                : new ErrorInResponse({
                  serverMessage: errorBodyMessage(errorBody),
                  code: errorBodyCode(errorBody),
                  inStream: false
                }),
              response.headers
            )
          }
          const bytes = yield* Scope.provide(Stream.toPull(response.stream), attemptScope)
          const pull = ChunkReader.make({ bytes, maxEventBytes: options.maxEventBytes, idleTimeout, transport })
          const first = yield* Effect.catch(pull, (failure) =>
            Cause.isDone(failure)
              ? fail(new StreamError({ kind: "Truncated", description: "the stream ended before its first chunk" }))
              : Effect.fail(failure))
          let pending: Arr.NonEmptyReadonlyArray<ChatCompletionChunk> | undefined = first
          const rest: Pull.Pull<Arr.NonEmptyReadonlyArray<ChatCompletionChunk>, GrokError> = Effect.suspend(() => {
            if (pending !== undefined) {
              const chunks = pending
              pending = undefined
              return Effect.succeed(chunks)
            }
            return Effect.catch(
              pull,
              (failure): Effect.Effect<never, GrokError | Cause.Done<void>> =>
                Cause.isDone(failure)
                  ? Effect.fail(failure)
                  : Effect.fail(new GrokError({ method: "streamChatCompletion", reason: scrubReason(failure.reason) }))
            )
          })
          return rest
        }),
        () => Scope.close(attemptScope, Exit.void)
      ).pipe((attempt) => timeoutAttempt(attempt, "first-token", firstTokenTimeout))
    })

  return GrokClient.of({
    baseUrl,
    createChatCompletion,
    streamChatCompletion,
    listModels: getJson("listModels", "/models", decodeModelList),
    getModel: (id) => getJson("getModel", `/models/${encodeURIComponent(id)}`, decodeModel)
  })
})

/**
 * The Grok API client, as a service.
 *
 * @example
 * ```ts
 * import { GrokClient } from "@grokit/core"
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Layer } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const grok = yield* GrokClient
 *   const completion = yield* grok.createChatCompletion({
 *     model: "grok-4.3",
 *     messages: [{ role: "user", content: "Hello" }]
 *   })
 *   return completion.choices[0]?.message.content
 * })
 *
 * program.pipe(Effect.provide(GrokClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))))
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class GrokClient extends Context.Service<GrokClient, GrokClientService>()("@grokit/core/GrokClient") {
  /**
   * Builds the service from options; needs an `HttpClient`.
   */
  static readonly make = make

  /**
   * A layer from options; needs an `HttpClient`.
   */
  static readonly layer = (options: GrokClientOptions): Layer.Layer<GrokClient, never, HttpClient.HttpClient> =>
    Layer.effect(GrokClient, make(options))

  /**
   * A layer configured from the environment: `XAI_API_KEY` (required, held as `Redacted`) and
   * `XAI_BASE_URL` (default `https://api.x.ai/v1`); other options as given.
   */
  static readonly layerConfig = (
    options?: Omit<GrokClientOptions, "apiKey" | "baseUrl">
  ): Layer.Layer<GrokClient, Config.ConfigError, HttpClient.HttpClient> =>
    Layer.effect(
      GrokClient,
      Effect.gen(function*() {
        const apiKey = yield* Config.Redacted("XAI_API_KEY")
        const baseUrl = yield* Config.String("XAI_BASE_URL").pipe(Config.withDefault(DEFAULT_BASE_URL))
        return yield* make({ ...options, apiKey, baseUrl })
      })
    )

  /**
   * Folds a chunk stream into the completion a non-streaming call returns (tool calls and usage
   * included). A failure after the first chunk carries what arrived as `partial`.
   */
  static readonly collect = (
    stream: Stream.Stream<ChatCompletionChunk, GrokError>
  ): Effect.Effect<ChatCompletion, GrokError> =>
    Effect.suspend(() => {
      const accumulator = ChatCompletionAccumulator.make()
      return stream.pipe(
        Stream.runForEach((chunk) => Effect.sync(() => accumulator.push(chunk))),
        Effect.map(() => accumulator.completion()),
        Effect.mapError((error) =>
          accumulator.isEmpty() || error.partial !== undefined
            ? error
            : new GrokError({ method: error.method, reason: error.reason, partial: accumulator.completion() })
        )
      )
    })
}

/**
 * The client over the platform's global `fetch` (no extra dependency). On Node, prefer
 * `NodeHttpClient.layerUndici` from `@effect/platform-node`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFetch = (options: GrokClientOptions): Layer.Layer<GrokClient> =>
  GrokClient.layer(options).pipe(Layer.provide(FetchHttpClient.layer))
