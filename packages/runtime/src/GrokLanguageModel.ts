/**
 * `GrokLanguageModel`: an effect/ai `LanguageModel` backed by `GrokClient` and xAI's Chat
 * Completions API. `LanguageModel.generateText`, `streamText`, `generateObject`, `Chat` and
 * `Toolkit` all work on Grok through it.
 *
 * It turns an effect/ai `Prompt` into wire messages (never with empty content, which xAI refuses),
 * offers the toolkit's tools as functions, asks for structured output with a strict
 * `json_schema` response format, and turns a completion (or its chunks) back into response parts:
 * reasoning, text, tool calls, response metadata, and a finish part with the usage (reasoning
 * tokens counted as output, cached prompt tokens reported). A `GrokError` becomes an `AiError`
 * with the closest reason; no error text ever carries the API key.
 *
 * @since 0.1.0
 */
import type {
  AssistantMessage,
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatMessage,
  ChatTool,
  ContentPart,
  FunctionParameters,
  GrokError,
  ResponseFormat,
  ToolCall,
  ToolCallDelta,
  ToolChoice as WireToolChoice,
  Usage as WireUsage
} from "@grokit/core"
import { GrokClient, ValidationIssue } from "@grokit/core"
import { Context, Effect, Layer, Stream } from "effect"
import { AiError, LanguageModel, Model, Prompt, Response, Tool } from "effect/ai"
import { Base64 } from "effect/encoding"
import { dual } from "effect/Function"

const MODULE = "GrokLanguageModel"

/**
 * The provider name under which the model registers (`Model.ProviderName`) and the key of its
 * provider metadata and provider options (`{ xai: { ... } }`).
 *
 * @since 0.1.0
 * @category constants
 */
export const PROVIDER_NAME = "xai"

/**
 * The wire fields a caller may set on every request: sampling, limits, reasoning effort,
 * `parallel_tool_calls`, a `response_format` for plain text calls, and so on. The adapter owns
 * `model`, `messages`, `tools`, `tool_choice` and streaming; `search_parameters` is left out
 * because xAI removed Live Search (HTTP 410).
 *
 * @since 0.1.0
 * @category models
 */
export type RequestConfig = Partial<
  Omit<
    ChatCompletionRequest,
    "model" | "messages" | "tools" | "tool_choice" | "stream" | "stream_options" | "search_parameters"
  >
>

/**
 * Options of a Grok language model.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The model id, e.g. `grok-4.3`. */
  readonly model: string
  /** Wire fields sent with every request. A `Config` override in the context takes precedence. */
  readonly config?: RequestConfig | undefined
  /**
   * Turns the Schema of `generateObject` into the JSON Schema sent as `response_format` and the codec
   * that decodes the answer. Default: effect/ai's `LanguageModel.defaultCodecTransformer` (a Draft
   * 2020-12 document, which xAI accepts: `anyOf`, `$defs`, optional fields).
   */
  readonly codecTransformer?: LanguageModel.CodecTransformer | undefined
}

/**
 * Request fields that override the model's `config` for the effects it is provided to. Use it
 * through `withConfigOverride`, or provide it to a stream with `Stream.provideService`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { LanguageModel } from "effect/ai"
 * import { GrokLanguageModel } from "@grokit/runtime"
 *
 * const precise = LanguageModel.generateText({ prompt: "2 + 2?" }).pipe(
 *   GrokLanguageModel.withConfigOverride({ temperature: 0 })
 * )
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class Config extends Context.Service<Config, RequestConfig>()("@grokit/runtime/GrokLanguageModel/Config") {}

/**
 * Runs an effect with request fields merged over the current override (and over the model's
 * `config`).
 *
 * @since 0.1.0
 * @category configuration
 */
export const withConfigOverride: {
  (config: RequestConfig): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, config: RequestConfig): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, config: RequestConfig): Effect.Effect<A, E, R> =>
    Effect.flatMap(
      Effect.serviceOption(Config),
      (current) =>
        Effect.provideService(self, Config, current._tag === "Some" ? { ...current.value, ...config } : config)
    )
)

// =============================================================================
// Errors
// =============================================================================

/** Masks anything that looks like an API key or a bearer token. */
const redact = (text: string): string =>
  text
    .replace(/xai-[A-Za-z0-9_-]{8,}/g, "xai-***")
    .replace(/(bearer\s+)[^\s"',;]+/gi, "$1***")
    .replace(/((?:api[_-]?key|authorization)["']?\s*[:=]\s*["']?)[^\s"',;]+/gi, "$1***")

const QUOTA_PATTERN = /credits|spending[ -]limit/i
const API_KEY_PATTERN = /api[ -_]?key/i

const defaultUrl = "https://api.x.ai/v1/chat/completions"

/**
 * Maps a `GrokError` to an `AiError` with the closest reason: `RateLimited` to `RateLimitError`
 * (with `retryAfter`), `QuotaExhausted` (and a 403 about credits or the spending limit) to
 * `QuotaExhaustedError`, 401/403 and a 400 about the API key to `AuthenticationError`, request
 * validation, refused parameters, 400/404/410/422 to `InvalidRequestError`, 5xx, 409, in-band
 * errors and truncated streams to `InternalProviderError`, transport failures and timeouts to
 * `NetworkError`, undecodable responses to `InvalidResponseError`, anything else to
 * `UnknownError`. The server's message and status go to the reason's `metadata.xai`; every text
 * is scrubbed of anything that looks like an API key.
 *
 * @since 0.1.0
 * @category errors
 */
export const fromGrokError = (
  error: GrokError,
  options?: {
    /** The `AiError` method. Default: the client method of the error. */
    readonly method?: string | undefined
    /** The URL a `NetworkError` names. Default: xAI's chat completions URL. */
    readonly url?: string | undefined
  }
): AiError.AiError =>
  AiError.make({
    module: MODULE,
    method: options?.method ?? error.method,
    reason: reasonOf(error, options?.url ?? defaultUrl)
  })

const reasonOf = (error: GrokError, url: string): AiError.AiErrorReason => {
  const reason = error.reason
  const description = redact(reason.message)
  switch (reason._tag) {
    case "RateLimited":
      return new AiError.RateLimitError({
        ...(reason.retryAfter === undefined ? {} : { retryAfter: reason.retryAfter }),
        metadata: { xai: { status: 429, serverMessage: redact(reason.serverMessage) } }
      })
    case "QuotaExhausted":
      return new AiError.QuotaExhaustedError({
        metadata: { xai: { status: 429, serverMessage: redact(reason.serverMessage) } }
      })
    case "InvalidRequest": {
      const first = reason.issues[0]
      return new AiError.InvalidRequestError({
        ...(first === undefined
          ? {}
          : { parameter: ValidationIssue.formatPath(first.path), constraint: first.message }),
        description
      })
    }
    case "UnsupportedParameter":
      return new AiError.InvalidRequestError({ parameter: reason.field, constraint: redact(reason.rule), description })
    case "LiveSearchRemoved":
      return new AiError.InvalidRequestError({ parameter: "search_parameters", description })
    case "HttpStatusError": {
      const metadata = {
        xai: {
          status: reason.status,
          serverMessage: redact(reason.serverMessage),
          ...(reason.code === undefined ? {} : { code: reason.code })
        }
      }
      switch (reason.kind) {
        case "Authentication":
          return new AiError.AuthenticationError({ kind: "InvalidKey", description, metadata })
        case "PermissionDenied":
          return QUOTA_PATTERN.test(reason.serverMessage)
            ? new AiError.QuotaExhaustedError({ metadata })
            : new AiError.AuthenticationError({ kind: "InsufficientPermissions", description, metadata })
        case "BadRequest":
          return API_KEY_PATTERN.test(reason.serverMessage)
            ? new AiError.AuthenticationError({ kind: "InvalidKey", description, metadata })
            : new AiError.InvalidRequestError({ description, metadata })
        case "NotFound":
        case "Unprocessable":
          return new AiError.InvalidRequestError({ description, metadata })
        case "ServerError":
        case "Conflict":
          return new AiError.InternalProviderError({ description, metadata })
        case "Other":
          return reason.retryable
            ? new AiError.InternalProviderError({ description, metadata })
            : new AiError.UnknownError({ description, metadata })
      }
    }
    case "ErrorInResponse":
      return new AiError.InternalProviderError({
        description,
        metadata: {
          xai: {
            serverMessage: redact(reason.serverMessage),
            ...(reason.code === undefined ? {} : { code: reason.code })
          }
        }
      })
    case "Timeout":
    case "TransportError":
      return new AiError.NetworkError({ reason: "TransportError", method: "POST", url, description })
    case "InvalidResponse":
      return new AiError.InvalidResponseError({ description })
    case "StreamError":
      return reason.kind === "Truncated"
        ? new AiError.InternalProviderError({ description })
        : new AiError.InvalidResponseError({ description })
  }
}

const failure = (method: string, reason: AiError.AiErrorReason): AiError.AiError =>
  AiError.make({ module: MODULE, method, reason })

// =============================================================================
// Prompt -> wire messages
// =============================================================================

const IMAGE_DETAILS: ReadonlyArray<string> = ["low", "high", "auto"]

const imageDetailOf = (options: Prompt.ProviderOptions): "low" | "high" | "auto" | undefined => {
  const xai = options[PROVIDER_NAME]
  if (typeof xai !== "object" || xai === null || Array.isArray(xai)) return undefined
  const detail = (xai as Record<string, unknown>)["imageDetail"]
  return typeof detail === "string" && IMAGE_DETAILS.includes(detail) ? detail as "low" | "high" | "auto" : undefined
}

const imageUrlOf = (part: Prompt.FilePart): string => {
  const mediaType = part.mediaType === "image/*" ? "image/jpeg" : part.mediaType
  if (part.data instanceof URL) return part.data.href
  if (part.data instanceof Uint8Array) return `data:${mediaType};base64,${Base64.encode(part.data)}`
  if (/^(data:|https?:\/\/)/i.test(part.data)) return part.data
  return `data:${mediaType};base64,${part.data}`
}

const userContentOf = (
  message: Prompt.UserMessage,
  method: string
): Effect.Effect<string | ReadonlyArray<ContentPart> | undefined, AiError.AiError> => {
  const parts: Array<ContentPart> = []
  for (const part of message.content) {
    if (part.type === "text") {
      if (part.text.length > 0) parts.push({ type: "text", text: part.text })
    } else if (part.mediaType.startsWith("image/")) {
      const detail = imageDetailOf(part.options)
      parts.push({
        type: "image_url",
        image_url: { url: imageUrlOf(part), ...(detail === undefined ? {} : { detail }) }
      })
    } else {
      return Effect.fail(failure(
        method,
        new AiError.InvalidUserInputError({
          description: `xAI chat completions accept images only; a file of type ${part.mediaType}` +
            `${part.fileName === undefined ? "" : ` (${part.fileName})`} cannot be sent`
        })
      ))
    }
  }
  if (parts.length === 0) return Effect.succeed(undefined)
  const only = parts[0]!
  return Effect.succeed(parts.length === 1 && only.type === "text" ? only.text : parts)
}

const assistantMessageOf = (message: Prompt.AssistantMessage): AssistantMessage | undefined => {
  let text = ""
  let reasoning = ""
  const toolCalls: Array<ToolCall> = []
  for (const part of message.content) {
    switch (part.type) {
      case "text":
        text += part.text
        break
      case "reasoning":
        reasoning += part.text
        break
      case "tool-call":
        // A provider-executed call ran on xAI's side: there is nothing to replay as a function call.
        if (!part.providerExecuted) {
          toolCalls.push({
            id: part.id,
            type: "function",
            function: { name: part.name, arguments: JSON.stringify(part.params ?? {}) }
          })
        }
        break
      default:
        // Files, provider-executed results and approval requests have no place in an assistant turn on the wire.
        break
    }
  }
  if (text.length === 0 && toolCalls.length === 0) return undefined
  return {
    role: "assistant",
    ...(text.length === 0 ? {} : { content: text }),
    ...(reasoning.length === 0 ? {} : { reasoning_content: reasoning }),
    ...(toolCalls.length === 0 ? {} : { tool_calls: toolCalls })
  }
}

const toolResultContentOf = (part: Prompt.ToolResultPart): string => {
  if (part.modelOutput !== undefined && part.modelOutput.length > 0) {
    const text = Prompt.toolModelOutputToText(part.modelOutput)
    if (text.length > 0) return text
  }
  return JSON.stringify(part.result) ?? "null"
}

/**
 * Turns an effect/ai prompt into wire messages: system and user text, images as `image_url`
 * parts (data URLs or URLs), assistant text, `reasoning_content` and `tool_calls` (arguments as
 * JSON text), and one `tool` message per tool result. Messages that would be empty are left out,
 * because xAI refuses empty content. A non-image file fails with `InvalidUserInputError`.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toWireMessages = (
  prompt: Prompt.Prompt,
  method = "generateText"
): Effect.Effect<Array<ChatMessage>, AiError.AiError> =>
  Effect.gen(function*() {
    const messages: Array<ChatMessage> = []
    for (const message of prompt.content) {
      switch (message.role) {
        case "system":
          if (message.content.length > 0) messages.push({ role: "system", content: message.content })
          break
        case "user": {
          const content = yield* userContentOf(message, method)
          if (content !== undefined) messages.push({ role: "user", content })
          break
        }
        case "assistant": {
          const assistant = assistantMessageOf(message)
          if (assistant !== undefined) messages.push(assistant)
          break
        }
        case "tool":
          for (const part of message.content) {
            if (part.type === "tool-result" && !part.providerExecuted) {
              messages.push({ role: "tool", tool_call_id: part.id, content: toolResultContentOf(part) })
            }
          }
          break
      }
    }
    return messages
  })

// =============================================================================
// Tools and response format
// =============================================================================

const wireToolsOf = (
  tools: ReadonlyArray<Tool.Any>,
  method: string
): Effect.Effect<Array<ChatTool>, AiError.AiError> =>
  Effect.forEach(tools, (tool) => {
    if (Tool.isProviderDefined(tool)) {
      return Effect.fail(failure(
        method,
        new AiError.ToolConfigurationError({
          toolName: tool.name,
          description: "xAI chat completions run no provider-defined tools; define it with Tool.make and a handler"
        })
      ))
    }
    const parameters = Tool.getJsonSchema(tool) as Record<string, unknown>
    if (parameters["type"] !== "object") {
      return Effect.fail(failure(
        method,
        new AiError.ToolConfigurationError({
          toolName: tool.name,
          description: "xAI requires the parameters of a function to be a JSON Schema of type object"
        })
      ))
    }
    const description = Tool.getDescription(tool)
    const strict = Tool.getStrictMode(tool)
    const chatTool: ChatTool = {
      type: "function",
      function: {
        name: tool.name,
        ...(description === undefined ? {} : { description }),
        parameters: parameters as FunctionParameters,
        ...(strict === undefined ? {} : { strict })
      }
    }
    return Effect.succeed(chatTool)
  })

const wireToolChoiceOf = (toolChoice: LanguageModel.ToolChoice<any>): WireToolChoice => {
  if (typeof toolChoice === "string") return toolChoice
  if ("tool" in toolChoice) return { type: "function", function: { name: toolChoice.tool } }
  return toolChoice.mode === "required" ? "required" : "auto"
}

const schemaNameOf = (objectName: string): string => {
  const name = objectName.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64)
  return name.length === 0 ? "response" : name
}

// =============================================================================
// Wire response -> parts
// =============================================================================

/**
 * Maps xAI's `finish_reason` to effect/ai's: `stop` and `end_turn` to `stop`, `length` and
 * `max_tokens` to `length`, `tool_calls` and `function_call` to `tool-calls`, `content_filter` to
 * `content-filter`, no reason to `tool-calls` when the answer carries tool calls and to `unknown`
 * otherwise, and any other reason to `other`.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toFinishReason = (
  finishReason: string | null | undefined,
  hasToolCalls = false
): Response.FinishReason => {
  switch (finishReason) {
    case "stop":
    case "end_turn":
      return "stop"
    case "length":
    case "max_tokens":
      return "length"
    case "tool_calls":
    case "function_call":
      return "tool-calls"
    case "content_filter":
      return "content-filter"
    case null:
    case undefined:
      return hasToolCalls ? "tool-calls" : "unknown"
    default:
      return "other"
  }
}

/**
 * Maps xAI's usage to effect/ai's. xAI counts reasoning tokens outside `completion_tokens`, so the
 * output total is completion plus reasoning; the cached prompt tokens are the cache reads.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toUsage = (usage: WireUsage | null | undefined): typeof Response.Usage.Encoded => {
  if (usage == null) return { inputTokens: {}, outputTokens: {} }
  const cached = usage.prompt_tokens_details?.cached_tokens ?? undefined
  const reasoning = usage.completion_tokens_details?.reasoning_tokens ?? undefined
  return {
    inputTokens: {
      total: usage.prompt_tokens,
      ...(cached === undefined ? {} : { cacheRead: cached, uncached: Math.max(0, usage.prompt_tokens - cached) })
    },
    outputTokens: {
      total: usage.completion_tokens + (reasoning ?? 0),
      text: usage.completion_tokens,
      ...(reasoning === undefined ? {} : { reasoning })
    }
  }
}

/** Parses tool arguments; text that is not JSON is passed on as is, for effect/ai's validation to report. */
const parseArguments = (text: string): unknown => {
  if (text.trim().length === 0) return {}
  try {
    return Tool.unsafeSecureJsonParse(text)
  } catch {
    return text
  }
}

const timestampOf = (created: number): string | undefined => {
  const date = new Date(created * 1000)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

const responseMetadataOf = (response: {
  readonly id: string
  readonly model: string
  readonly created: number
}): Response.ResponseMetadataPartEncoded => {
  const timestamp = timestampOf(response.created)
  return {
    type: "response-metadata",
    id: response.id,
    modelId: response.model,
    ...(timestamp === undefined ? {} : { timestamp })
  }
}

interface FinishDetails {
  readonly usage: WireUsage | null | undefined
  readonly systemFingerprint: string | null | undefined
  readonly citations: ReadonlyArray<string> | null | undefined
  readonly refusal: string | null | undefined
}

const finishMetadataOf = (details: FinishDetails): Response.ProviderMetadata => {
  const xai: Record<string, string | number | ReadonlyArray<string>> = {}
  if (details.usage?.cost_in_usd_ticks != null) xai["costInUsdTicks"] = details.usage.cost_in_usd_ticks
  if (details.usage?.num_sources_used != null) xai["numSourcesUsed"] = details.usage.num_sources_used
  if (details.systemFingerprint != null) xai["systemFingerprint"] = details.systemFingerprint
  if (details.citations != null && details.citations.length > 0) xai["citations"] = details.citations
  if (details.refusal != null) xai["refusal"] = details.refusal
  return Object.keys(xai).length === 0 ? {} : { [PROVIDER_NAME]: xai }
}

const finishPartOf = (
  finishReason: string | null | undefined,
  hasToolCalls: boolean,
  details: FinishDetails
): Response.FinishPartEncoded => {
  const metadata = finishMetadataOf(details)
  return {
    type: "finish",
    reason: toFinishReason(finishReason, hasToolCalls),
    usage: toUsage(details.usage),
    ...(Object.keys(metadata).length === 0 ? {} : { metadata })
  }
}

/**
 * Turns a chat completion into effect/ai response parts: response metadata (id, model,
 * timestamp), reasoning, text, one tool call per wire tool call (arguments parsed from JSON, or
 * passed on as raw text when they are not JSON), and a finish part with the reason and usage.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toResponseParts = (completion: ChatCompletion): Array<Response.PartEncoded> => {
  const parts: Array<Response.PartEncoded> = [responseMetadataOf(completion)]
  const choice = completion.choices.find((candidate) => candidate.index === 0) ?? completion.choices[0]
  const message = choice?.message
  if (message?.reasoning_content != null && message.reasoning_content.length > 0) {
    parts.push({ type: "reasoning", text: message.reasoning_content })
  }
  if (message?.content != null && message.content.length > 0) {
    parts.push({ type: "text", text: message.content })
  }
  const toolCalls = message?.tool_calls ?? []
  for (const toolCall of toolCalls) {
    parts.push({
      type: "tool-call",
      id: toolCall.id,
      name: toolCall.function.name,
      params: parseArguments(toolCall.function.arguments)
    })
  }
  parts.push(finishPartOf(choice?.finish_reason, toolCalls.length > 0, {
    usage: completion.usage,
    systemFingerprint: completion.system_fingerprint,
    citations: completion.citations,
    refusal: message?.refusal
  }))
  return parts
}

// =============================================================================
// Streaming
// =============================================================================

interface PendingToolCall {
  id: string
  name: string
  arguments: string
  emitted: boolean
}

interface StreamState {
  metadataSent: boolean
  active: { readonly kind: "text" | "reasoning"; readonly id: string } | undefined
  blocks: number
  toolCalls: Map<number, PendingToolCall>
  toolCallCount: number
  finishReason: string | null | undefined
  usage: WireUsage | null | undefined
  systemFingerprint: string | null | undefined
  citations: ReadonlyArray<string> | null | undefined
  refusal: string
}

const initialStreamState = (): StreamState => ({
  metadataSent: false,
  active: undefined,
  blocks: 0,
  toolCalls: new Map(),
  toolCallCount: 0,
  finishReason: undefined,
  usage: undefined,
  systemFingerprint: undefined,
  citations: undefined,
  refusal: ""
})

const closeBlock = (state: StreamState, out: Array<Response.StreamPartEncoded>): void => {
  if (state.active === undefined) return
  out.push({ type: state.active.kind === "text" ? "text-end" : "reasoning-end", id: state.active.id })
  state.active = undefined
}

const appendDelta = (
  state: StreamState,
  kind: "text" | "reasoning",
  delta: string,
  out: Array<Response.StreamPartEncoded>
): void => {
  if (state.active?.kind !== kind) {
    closeBlock(state, out)
    const id = `${kind}-${state.blocks++}`
    state.active = { kind, id }
    out.push({ type: kind === "text" ? "text-start" : "reasoning-start", id })
  }
  const id = state.active!.id
  out.push(kind === "text" ? { type: "text-delta", id, delta } : { type: "reasoning-delta", id, delta })
}

const emitToolCall = (state: StreamState, pending: PendingToolCall, out: Array<Response.StreamPartEncoded>): void => {
  if (pending.emitted) return
  pending.emitted = true
  state.toolCallCount++
  out.push({ type: "tool-call", id: pending.id, name: pending.name, params: parseArguments(pending.arguments) })
}

const isCompleteJson = (text: string): boolean => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/**
 * xAI sends each tool call whole in one delta; OpenAI-style fragments (an id and name first, then
 * pieces of the arguments under the same index) are put together too. A call is emitted as soon
 * as its arguments are complete JSON, and at the latest when the choice finishes.
 */
const appendToolCalls = (
  state: StreamState,
  deltas: ReadonlyArray<ToolCallDelta>,
  out: Array<Response.StreamPartEncoded>
): void => {
  closeBlock(state, out)
  deltas.forEach((delta, position) => {
    const index = delta.index ?? position
    let pending = state.toolCalls.get(index)
    if (delta.id != null && (pending === undefined || pending.id !== delta.id)) {
      if (pending !== undefined && pending.name.length > 0) emitToolCall(state, pending, out)
      pending = { id: delta.id, name: delta.function?.name ?? "", arguments: "", emitted: false }
      state.toolCalls.set(index, pending)
    }
    if (pending === undefined || pending.emitted) return
    if (delta.function?.name != null && pending.name.length === 0) pending.name = delta.function.name
    if (delta.function?.arguments != null) pending.arguments += delta.function.arguments
    if (pending.name.length > 0 && isCompleteJson(pending.arguments)) emitToolCall(state, pending, out)
  })
}

const flushToolCalls = (state: StreamState, out: Array<Response.StreamPartEncoded>): void => {
  for (const pending of state.toolCalls.values()) {
    if (pending.name.length > 0) emitToolCall(state, pending, out)
  }
}

const onChunk = (
  state: StreamState,
  chunk: ChatCompletionChunk
): readonly [StreamState, ReadonlyArray<Response.StreamPartEncoded>] => {
  const out: Array<Response.StreamPartEncoded> = []
  if (!state.metadataSent) {
    state.metadataSent = true
    out.push(responseMetadataOf(chunk))
  }
  if (chunk.usage != null) state.usage = chunk.usage
  if (chunk.system_fingerprint != null) state.systemFingerprint = chunk.system_fingerprint
  if (chunk.citations != null) state.citations = chunk.citations
  const choice = chunk.choices.find((candidate) => candidate.index === 0)
  if (choice !== undefined) {
    const delta = choice.delta
    if (delta.reasoning_content != null && delta.reasoning_content.length > 0) {
      appendDelta(state, "reasoning", delta.reasoning_content, out)
    }
    if (delta.content != null && delta.content.length > 0) appendDelta(state, "text", delta.content, out)
    if (delta.refusal != null) state.refusal += delta.refusal
    if (delta.tool_calls != null && delta.tool_calls.length > 0) appendToolCalls(state, delta.tool_calls, out)
    if (choice.finish_reason != null) {
      state.finishReason = choice.finish_reason
      closeBlock(state, out)
      flushToolCalls(state, out)
    }
  }
  return [state, out]
}

const onHalt = (state: StreamState): ReadonlyArray<Response.StreamPartEncoded> => {
  const out: Array<Response.StreamPartEncoded> = []
  closeBlock(state, out)
  flushToolCalls(state, out)
  out.push(finishPartOf(state.finishReason, state.toolCallCount > 0, {
    usage: state.usage,
    systemFingerprint: state.systemFingerprint,
    citations: state.citations,
    refusal: state.refusal.length === 0 ? undefined : state.refusal
  }))
  return out
}

/**
 * Turns a stream of chat completion chunks into effect/ai stream parts: response metadata on the
 * first chunk, `text-start`/`text-delta`/`text-end` and `reasoning-start`/`-delta`/`-end` blocks,
 * one `tool-call` part per tool call, and, when the stream ends, a finish part with the reason and
 * the usage of the final usage chunk.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toStreamParts = <E, R>(
  chunks: Stream.Stream<ChatCompletionChunk, E, R>
): Stream.Stream<Response.StreamPartEncoded, E, R> => Stream.mapAccum(chunks, initialStreamState, onChunk, { onHalt })

// =============================================================================
// Constructors
// =============================================================================

/**
 * Builds the `LanguageModel` service for one Grok model. Needs a `GrokClient`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { GrokLanguageModel } from "@grokit/runtime"
 *
 * // requires a GrokClient
 * const program = Effect.gen(function*() {
 *   const model = yield* GrokLanguageModel.make({ model: "grok-4.3" })
 *   const response = yield* model.generateText({ prompt: "Hello" })
 *   return response.text
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<LanguageModel.LanguageModel, never, GrokClient> =>
  Effect.gen(function*() {
    const client = yield* GrokClient
    const codecTransformer = options.codecTransformer ?? LanguageModel.defaultCodecTransformer
    const url = `${client.baseUrl}/chat/completions`

    const buildRequest = (
      providerOptions: LanguageModel.ProviderOptions,
      method: string
    ): Effect.Effect<ChatCompletionRequest, AiError.AiError> =>
      Effect.gen(function*() {
        const override = yield* Effect.serviceOption(Config)
        const config: RequestConfig = {
          ...options.config,
          ...(override._tag === "Some" ? override.value : {})
        }
        const { response_format: configResponseFormat, ...rest } = config
        const messages = yield* toWireMessages(providerOptions.prompt, method)
        const tools = yield* wireToolsOf(providerOptions.tools, method)
        let responseFormat: ResponseFormat | undefined = configResponseFormat
        if (providerOptions.responseFormat.type === "json") {
          const { objectName, schema } = providerOptions.responseFormat
          const jsonSchema = yield* Effect.try({
            try: () => codecTransformer(schema).jsonSchema as Record<string, unknown>,
            catch: (error) =>
              failure(
                method,
                new AiError.UnsupportedSchemaError({
                  description: error instanceof Error ? error.message : String(error)
                })
              )
          })
          responseFormat = {
            type: "json_schema",
            json_schema: { name: schemaNameOf(objectName), schema: jsonSchema, strict: true }
          }
        }
        const request: ChatCompletionRequest = {
          ...rest,
          model: options.model,
          messages,
          ...(tools.length === 0 ? {} : { tools, tool_choice: wireToolChoiceOf(providerOptions.toolChoice) }),
          ...(responseFormat === undefined ? {} : { response_format: responseFormat })
        }
        annotateRequest(providerOptions, request)
        return request
      })

    return yield* LanguageModel.make({
      codecTransformer,
      generateText: (providerOptions) =>
        Effect.gen(function*() {
          const request = yield* buildRequest(providerOptions, "generateText")
          const completion = yield* Effect.mapError(
            client.createChatCompletion(request),
            (error) => fromGrokError(error, { method: "generateText", url })
          )
          annotateResponse(providerOptions, completion.id, completion.model, completion.usage)
          return toResponseParts(completion)
        }),
      streamText: (providerOptions) =>
        Stream.unwrap(
          Effect.map(buildRequest(providerOptions, "streamText"), (request) =>
            client.streamChatCompletion(request).pipe(
              Stream.mapError((error) => fromGrokError(error, { method: "streamText", url })),
              Stream.tap((chunk) =>
                Effect.sync(() => {
                  if (chunk.usage != null) annotateResponse(providerOptions, chunk.id, chunk.model, chunk.usage)
                })
              ),
              toStreamParts
            ))
        )
    })
  })

const annotateRequest = (providerOptions: LanguageModel.ProviderOptions, request: ChatCompletionRequest): void => {
  const span = providerOptions.span
  span.attribute("gen_ai.system", PROVIDER_NAME)
  span.attribute("gen_ai.request.model", request.model)
  if (request.temperature !== undefined) span.attribute("gen_ai.request.temperature", request.temperature)
  if (request.top_p !== undefined) span.attribute("gen_ai.request.top_p", request.top_p)
  if (request.max_completion_tokens !== undefined) {
    span.attribute("gen_ai.request.max_tokens", request.max_completion_tokens)
  }
}

const annotateResponse = (
  providerOptions: LanguageModel.ProviderOptions,
  id: string,
  model: string,
  usage: WireUsage | null | undefined
): void => {
  const span = providerOptions.span
  span.attribute("gen_ai.response.id", id)
  span.attribute("gen_ai.response.model", model)
  if (usage != null) {
    const mapped = toUsage(usage)
    span.attribute("gen_ai.usage.input_tokens", mapped.inputTokens.total)
    span.attribute("gen_ai.usage.output_tokens", mapped.outputTokens.total)
  }
}

/**
 * The `LanguageModel` of one Grok model, as a layer. Needs a `GrokClient`.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { LanguageModel } from "effect/ai"
 * import { FetchHttpClient } from "effect/http"
 * import { GrokClient } from "@grokit/core"
 * import { GrokLanguageModel } from "@grokit/runtime"
 *
 * const Grok = GrokLanguageModel.layer({ model: "grok-4.3" }).pipe(
 *   Layer.provide(GrokClient.layerConfig()),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * const program = LanguageModel.generateText({ prompt: "Hello" }).pipe(Effect.provide(Grok))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<LanguageModel.LanguageModel, never, GrokClient> =>
  Layer.effect(LanguageModel.LanguageModel, make(options))

/**
 * The `LanguageModel` of one Grok model as an effect/ai `Model`: a layer that also provides
 * `Model.ProviderName` (`"xai"`) and `Model.ModelName`. Needs a `GrokClient`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { LanguageModel } from "effect/ai"
 * import { GrokLanguageModel } from "@grokit/runtime"
 *
 * const program = LanguageModel.generateText({ prompt: "Hello" }).pipe(
 *   Effect.provide(GrokLanguageModel.model("grok-4.3", { temperature: 0.2 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const model = (
  modelId: string,
  config?: RequestConfig
): Model.Model<typeof PROVIDER_NAME, LanguageModel.LanguageModel, GrokClient> =>
  Model.make(PROVIDER_NAME, modelId, layer({ model: modelId, config }))
