/**
 * `GrokResponses`: xAI's Responses API (`POST /v1/responses`) as an Effect service, the part
 * of it that server-side search needs: create a response, or stream one as typed events, with
 * function tools and the server-side `web_search` / `x_search` tools side by side.
 *
 * It is a service of its own, next to `GrokClient`, and behaves like it: every request is
 * checked before it is sent (the strict `ResponsesRequest` Schema and what xAI is documented to
 * refuse); retryable failures are retried (2 retries by default, exponential backoff from 0.5 s
 * capped at 8 s with jitter, `Retry-After` honoured between 0 and 60 s); the attempt, the first
 * event and the gap between events are bounded in time; a stream is never retried once an event
 * has been delivered; errors are one `GrokError` with a reason; interruption closes the socket;
 * the API key is a `Redacted`. A conversation id is sent as `prompt_cache_key`, which is how
 * the Responses API routes prompt-cache affinity.
 *
 * @since 0.1.0
 */
import { Config, Context, Effect, Layer, Schema, Stream } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { type CallOptions, DEFAULT_BASE_URL, type GrokClientOptions, optionsFromConfig } from "./GrokClient.ts"
import { GrokError, StreamError } from "./GrokError.ts"
import * as HttpCall from "./internal/HttpCall.ts"
import * as ResponseEventReader from "./internal/ResponseEventReader.ts"
import { responsesRefusals, ResponsesRequest } from "./ResponsesRequest.ts"
import { ResponsesResponse } from "./ResponsesResponse.ts"
import { isTerminalEvent, type ResponsesStreamEvent } from "./ResponsesStreamEvent.ts"
import { strictParseOptions, tolerantParseOptions } from "./WireSchema.ts"

/**
 * The operations of the Responses client.
 *
 * @since 0.1.0
 * @category models
 */
export interface GrokResponsesService {
  /** The base URL this client talks to. */
  readonly baseUrl: string
  /** Creates a response (`stream` is forced off). */
  readonly createResponse: (
    request: ResponsesRequest,
    options?: CallOptions
  ) => Effect.Effect<ResponsesResponse, GrokError>
  /**
   * Streams a response: its decoded events, up to the terminal one (`response.completed`,
   * `response.incomplete`), which carries the whole response. `stream` is forced on. A
   * `response.failed` or `error` event fails the stream with `ErrorInResponse`.
   */
  readonly streamResponse: (
    request: ResponsesRequest,
    options?: CallOptions
  ) => Stream.Stream<ResponsesStreamEvent, GrokError>
}

const decodeResponse = Schema.decodeUnknownExit(ResponsesResponse, tolerantParseOptions)
const decodeRequest = Schema.decodeUnknownExit(ResponsesRequest, strictParseOptions)

/**
 * Creates a Responses client from the same options as `GrokClient`. Requires an `HttpClient`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: GrokClientOptions) {
  const { attemptTimeout, checks, firstTokenTimeout, httpClient, idleTimeout, maxRetries, scrub } = yield* HttpCall
    .resolveOptions(options)
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")

  const checkRequest = (
    method: string,
    request: ResponsesRequest,
    call: CallOptions | undefined
  ): GrokError | undefined => {
    if (!checks(call)) return undefined
    return HttpCall.invalidRequest(method, decodeRequest, request) ??
      HttpCall.unsupported(method, request.model, responsesRefusals(request))
  }

  const body = (request: ResponsesRequest, stream: boolean, call: CallOptions | undefined): ResponsesRequest => {
    const conversationId = call?.conversationId ?? options.conversationId
    const withKey = conversationId === undefined || request.prompt_cache_key !== undefined
      ? request
      : { ...request, prompt_cache_key: conversationId }
    return withKey.stream === stream ? withKey : { ...withKey, stream }
  }

  const post = (payload: ResponsesRequest, accept?: string) => {
    let request = HttpClientRequest.post(`${baseUrl}/responses`).pipe(HttpClientRequest.bearerToken(options.apiKey))
    if (accept !== undefined) request = HttpClientRequest.setHeader(request, "accept", accept)
    return HttpClientRequest.bodyJsonUnsafe(request, payload)
  }

  const createResponse = (
    request: ResponsesRequest,
    call?: CallOptions
  ): Effect.Effect<ResponsesResponse, GrokError> =>
    Effect.suspend(() => {
      const method = "createResponse"
      const invalid = checkRequest(method, request, call)
      if (invalid !== undefined) return Effect.fail(invalid)
      const httpRequest = post(body(request, false, call))
      return HttpCall.withRetries(
        maxRetries,
        method,
        HttpCall.jsonAttempt(httpClient, httpRequest, decodeResponse, attemptTimeout),
        scrub
      )
    })

  const streamResponse = (
    request: ResponsesRequest,
    call?: CallOptions
  ): Stream.Stream<ResponsesStreamEvent, GrokError> =>
    Stream.unwrap(Effect.gen(function*() {
      const method = "streamResponse"
      const invalid = checkRequest(method, request, call)
      if (invalid !== undefined) return yield* Effect.fail(invalid)
      const httpRequest = post(body(request, true, call), "text/event-stream")
      const scope = yield* Effect.scope
      // One attempt reads up to the first events, the last point where a retry cannot duplicate
      // what the caller saw.
      const attempt = HttpCall.openEventStream({
        httpClient,
        request: httpRequest,
        scope,
        method,
        firstTokenTimeout,
        scrub,
        read: (bytes) =>
          ResponseEventReader.make({
            bytes,
            maxEventBytes: options.maxEventBytes,
            idleTimeout,
            transport: HttpCall.transport
          }),
        endedEarly: "the stream ended before its first event"
      })
      const pull = yield* HttpCall.withRetries(maxRetries, method, attempt, scrub)
      return Stream.fromPull(Effect.succeed(pull))
    }))

  return GrokResponses.of({ baseUrl, createResponse, streamResponse })
})

/**
 * The Responses API client, as a service.
 *
 * @example
 * ```ts
 * import { GrokResponses, responseText, responseUrlCitations } from "@grokit/core"
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Layer } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const responses = yield* GrokResponses
 *   const response = yield* responses.createResponse({
 *     model: "grok-4.3",
 *     input: [{ role: "user", content: "What did xAI announce this week?" }],
 *     tools: [{ type: "web_search" }, { type: "x_search", allowed_x_handles: ["xai"] }]
 *   })
 *   return { text: responseText(response), sources: responseUrlCitations(response).map((c) => c.url) }
 * })
 *
 * program.pipe(Effect.provide(GrokResponses.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))))
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class GrokResponses extends Context.Service<GrokResponses, GrokResponsesService>()(
  "@grokit/core/GrokResponses"
) {
  /**
   * Builds the service from options; needs an `HttpClient`.
   */
  static readonly make = make

  /**
   * A layer from options; needs an `HttpClient`.
   */
  static readonly layer = (options: GrokClientOptions): Layer.Layer<GrokResponses, never, HttpClient.HttpClient> =>
    Layer.effect(GrokResponses, make(options))

  /**
   * A layer configured from the environment: `XAI_API_KEY` (required, held as `Redacted`) and
   * `XAI_BASE_URL` (default `https://api.x.ai/v1`); other options as given.
   */
  static readonly layerConfig = (
    options?: Omit<GrokClientOptions, "apiKey" | "baseUrl">
  ): Layer.Layer<GrokResponses, Config.ConfigError, HttpClient.HttpClient> =>
    Layer.effect(
      GrokResponses,
      Effect.flatMap(optionsFromConfig(options), make)
    )

  /**
   * The final response of an event stream: the one its terminal event carries.
   */
  static readonly collect = (
    stream: Stream.Stream<ResponsesStreamEvent, GrokError>
  ): Effect.Effect<ResponsesResponse, GrokError> =>
    Effect.flatMap(
      Stream.runFold(stream, (): ResponsesResponse | undefined =>
        undefined, (last, event) =>
        isTerminalEvent(event) ? event.response : last),
      (response) =>
        response === undefined
          ? Effect.fail(
            new GrokError({
              method: "streamResponse",
              reason: new StreamError({
                kind: "Truncated",
                description: "the stream ended before the response completed"
              })
            })
          )
          : Effect.succeed(response)
    )
}

/**
 * The Responses client over the platform's global `fetch`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerResponsesFetch = (options: GrokClientOptions): Layer.Layer<GrokResponses> =>
  GrokResponses.layer(options).pipe(Layer.provide(FetchHttpClient.layer))
