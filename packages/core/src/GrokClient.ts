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
import { Config, Context, type Duration, Effect, Exit, Layer, type Redacted, Schema, Stream } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { SchemaJITCompiler } from "effect/schema"
import { type ChatCompletion, ChatCompletion as ChatCompletionSchema } from "./ChatCompletion.ts"
import * as ChatCompletionAccumulator from "./ChatCompletionAccumulator.ts"
import type { ChatCompletionChunk } from "./ChatCompletionChunk.ts"
import { ChatCompletionRequest } from "./ChatCompletionRequest.ts"
import { GrokError, LiveSearchRemoved } from "./GrokError.ts"
import * as ChunkReader from "./internal/ChunkReader.ts"
import * as HttpCall from "./internal/HttpCall.ts"
import { type Model, Model as ModelSchema, type ModelList, ModelList as ModelListSchema } from "./Model.ts"
import { refusals } from "./ModelCapabilities.ts"
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
  /**
   * Check the request before sending it (the Schema and xAI's documented refusals). Default true
   * (when the client's `validateRequests` is on). `false` skips the request check; for callers
   * that checked the request themselves.
   */
  readonly validate?: boolean | undefined
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

// The Schemas of every call (the request check, the completion) are JIT-compiled: valid values
// take the compiled fast path, invalid ones the interpreter, so the issues reported are the same.
SchemaJITCompiler.enable(ChatCompletionSchema.ast)
SchemaJITCompiler.enable(ChatCompletionRequest.ast)
const decodeCompletion = Schema.decodeUnknownExit(ChatCompletionSchema, tolerantParseOptions)
const decodeModelList = Schema.decodeUnknownExit(ModelListSchema, tolerantParseOptions)
const decodeModel = Schema.decodeUnknownExit(ModelSchema, tolerantParseOptions)
const decodeRequest = Schema.decodeUnknownExit(ChatCompletionRequest, strictParseOptions)

/**
 * Creates a client from its options. Requires an `HttpClient` (e.g. `NodeHttpClient.layerUndici`
 * from `@effect/platform-node`, or `FetchHttpClient.layer`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: GrokClientOptions) {
  const { attemptTimeout, checks, firstTokenTimeout, httpClient, idleTimeout, maxRetries, scrub } = yield* HttpCall
    .resolveOptions(options)
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")

  const baseRequest = (method: "GET" | "POST", path: string, call?: CallOptions) => {
    let request = (method === "GET" ? HttpClientRequest.get : HttpClientRequest.post)(baseUrl + path).pipe(
      HttpClientRequest.bearerToken(options.apiKey)
    )
    const conversationId = call?.conversationId ?? options.conversationId
    if (conversationId !== undefined) request = HttpClientRequest.setHeader(request, "x-grok-conv-id", conversationId)
    return request
  }

  const checkRequest = (
    method: string,
    request: ChatCompletionRequest,
    call: CallOptions | undefined
  ): GrokError | undefined => {
    if (!checks(call)) return undefined
    const invalid = HttpCall.invalidRequest(method, decodeRequest, request)
    if (invalid !== undefined) return invalid
    const refused = refusals(request)
    if (refused[0]?.field === "search_parameters") return new GrokError({ method, reason: new LiveSearchRemoved({}) })
    return HttpCall.unsupported(method, request.model, refused)
  }

  const getJson = <A>(
    method: string,
    path: string,
    decode: (input: unknown) => Exit.Exit<A, Schema.SchemaError>
  ): Effect.Effect<A, GrokError> =>
    HttpCall.withRetries(
      maxRetries,
      method,
      HttpCall.jsonAttempt(httpClient, baseRequest("GET", path), decode, attemptTimeout),
      scrub
    )

  const createChatCompletion = (
    request: ChatCompletionRequest,
    call?: CallOptions
  ): Effect.Effect<ChatCompletion, GrokError> =>
    Effect.suspend(() => {
      const invalid = checkRequest("createChatCompletion", request, call)
      if (invalid !== undefined) return Effect.fail(invalid)
      const body = request.stream === true || request.stream_options !== undefined
        ? { ...request, stream: false, stream_options: undefined }
        : request
      const httpRequest = HttpClientRequest.bodyJsonUnsafe(baseRequest("POST", "/chat/completions", call), body)
      return HttpCall.withRetries(
        maxRetries,
        "createChatCompletion",
        HttpCall.jsonAttempt(httpClient, httpRequest, decodeCompletion, attemptTimeout),
        scrub
      )
    })

  const streamChatCompletion = (
    request: ChatCompletionRequest,
    call?: CallOptions
  ): Stream.Stream<ChatCompletionChunk, GrokError> =>
    Stream.unwrap(Effect.gen(function*() {
      const method = "streamChatCompletion"
      const invalid = checkRequest(method, request, call)
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
      // One attempt reads up to the first chunk, the last point where a retry cannot duplicate
      // what the caller saw.
      const attempt = HttpCall.openEventStream({
        httpClient,
        request: httpRequest,
        scope,
        method,
        firstTokenTimeout,
        scrub,
        read: (bytes) =>
          ChunkReader.make({ bytes, maxEventBytes: options.maxEventBytes, idleTimeout, transport: HttpCall.transport }),
        endedEarly: "the stream ended before its first chunk"
      })
      const pull = yield* HttpCall.withRetries(maxRetries, method, attempt, scrub)
      return Stream.fromPull(Effect.succeed(pull))
    }))

  return GrokClient.of({
    baseUrl,
    createChatCompletion,
    streamChatCompletion,
    listModels: getJson("listModels", "/models", decodeModelList),
    getModel: (id) => getJson("getModel", `/models/${encodeURIComponent(id)}`, decodeModel)
  })
})

/**
 * Client options from the environment: `XAI_API_KEY` (required, read as a `Redacted`) and
 * `XAI_BASE_URL` (default `https://api.x.ai/v1`), with the other options as given. Shared by the
 * `layerConfig` of `GrokClient` and `GrokResponses`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const optionsFromConfig = (
  options?: Omit<GrokClientOptions, "apiKey" | "baseUrl">
): Effect.Effect<GrokClientOptions, Config.ConfigError> =>
  Effect.gen(function*() {
    const apiKey = yield* Config.Redacted("XAI_API_KEY")
    const baseUrl = yield* Config.String("XAI_BASE_URL").pipe(Config.withDefault(DEFAULT_BASE_URL))
    return { ...options, apiKey, baseUrl }
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
      Effect.flatMap(optionsFromConfig(options), make)
    )

  /**
   * Folds a chunk stream into the completion a non-streaming call returns (tool calls and usage
   * included). A failure after the first chunk carries what arrived as `partial`. `onChunks`, when
   * given, sees the chunks as they arrive (in the arrays the stream delivers them in).
   */
  static readonly collect = (
    stream: Stream.Stream<ChatCompletionChunk, GrokError>,
    onChunks?: ((chunks: ReadonlyArray<ChatCompletionChunk>) => Effect.Effect<void>) | undefined
  ): Effect.Effect<ChatCompletion, GrokError> =>
    Effect.suspend(() => {
      const accumulator = ChatCompletionAccumulator.make()
      return stream.pipe(
        Stream.runForEachArray((chunks) => {
          for (let index = 0; index < chunks.length; index++) accumulator.push(chunks[index]!)
          return onChunks === undefined ? Effect.void : onChunks(chunks)
        }),
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
