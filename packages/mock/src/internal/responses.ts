/**
 * Wire text of the mock's answers: error bodies in xAI's shapes, usage, completions and stream
 * chunks. Built by string templates so that a request costs little more than its JSON parse.
 *
 * @internal
 */
import type { ChatCompletionRequest, ChatMessage } from "@grokit/core"
import * as MockModels from "../MockModels.ts"

// gRPC status texts, as xAI puts them in the `code` field.
export const INVALID_ARGUMENT = "Client specified an invalid argument"
export const NOT_FOUND = "Some requested entity was not found"
export const UNAVAILABLE = "The service is currently unavailable"
export const RESOURCE_EXHAUSTED = "Some resource has been exhausted"
export const INTERNAL = "Internal error"
export const UNAUTHENTICATED = "The request does not have valid authentication credentials"

/** The (fictional) team every mock key belongs to. */
export const TEAM_ID = "6d6f636b-0000-4000-8000-000000000000"

export const SYSTEM_FINGERPRINT = "fp_6d6f636b00"

export const statusBody = (code: string, error: string): string => JSON.stringify({ code, error })

export const noHandlerBody = statusBody(
  NOT_FOUND,
  "No handler found on route. Please double check your URL and consult https://api.x.ai/docs for more information."
)

export const liveSearchBody =
  "{\"error\":\"Live search is deprecated. Please switch to the Agent Tools API: https://docs.x.ai/docs/guides/tools/overview\"}"

export const unauthenticatedBody = statusBody(
  UNAUTHENTICATED,
  "No API key provided. Send your xAI API key as 'Authorization: Bearer <XAI_API_KEY>'."
)

const maskKey = (key: string): string => key.length <= 4 ? "***" : `${key.slice(0, 2)}***${key.slice(-2)}`

export const incorrectKeyBody = (key: string): string =>
  statusBody(
    INVALID_ARGUMENT,
    `Incorrect API key provided: ${maskKey(key)}. You can obtain an API key from https://console.x.ai.`
  )

export const modelNotFoundBody = (model: string): string =>
  statusBody(NOT_FOUND, `The model ${model} does not exist or your team ${TEAM_ID} does not have access to it.`)

export const rateLimitBody = statusBody(
  RESOURCE_EXHAUSTED,
  `Too many requests: team ${TEAM_ID} exceeded its requests-per-second limit. Please retry later.`
)

export const quotaBody = statusBody(
  RESOURCE_EXHAUSTED,
  `Your team ${TEAM_ID} has either used all available credits or reached its monthly spending limit. To continue making API requests, please purchase more credits or raise your spending limit.`
)

export const serverErrorBody = (status: number): string =>
  status === 502 || status === 503 || status === 504
    ? statusBody(UNAVAILABLE, `The service is currently unavailable (HTTP ${status} injected by the grokit mock).`)
    : statusBody(INTERNAL, `Internal server error (HTTP ${status} injected by the grokit mock).`)

export const streamErrorEvent = `data: ${statusBody(UNAVAILABLE, "Timed out waiting for the next token")}\n\n`

// ---------------------------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------------------------

/** A UUID-shaped id from a counter: `00000000-0000-4000-8000-000000000001`. */
export const completionId = (counter: number): string =>
  `00000000-0000-4000-8000-${counter.toString(16).padStart(12, "0")}`

/** `call_00000001` */
export const toolCallId = (counter: number): string => `call_${String(counter % 100_000_000).padStart(8, "0")}`

// ---------------------------------------------------------------------------------------------
// Usage
// ---------------------------------------------------------------------------------------------

/** Rough tokens: whitespace-separated words. */
export const countTokens = (text: string): number => {
  let count = 0
  let inWord = false
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    const space = code === 32 || code === 10 || code === 9 || code === 13
    if (!space && !inWord) count++
    inWord = !space
  }
  return count
}

const IMAGE_TOKENS = 256

interface MessageTokens {
  readonly text: number
  readonly image: number
}

const messageTokens = (message: ChatMessage): MessageTokens => {
  let text = 4
  let image = 0
  const content = message.content
  if (typeof content === "string") text += countTokens(content)
  else if (content != null) {
    for (const part of content) {
      if (part.type === "text") text += countTokens(part.text)
      else image += IMAGE_TOKENS
    }
  }
  if (message.role === "assistant" && message.tool_calls !== undefined) {
    for (const call of message.tool_calls) {
      text += 1 + countTokens(call.function.arguments)
    }
  }
  return { text, image }
}

/** Prices of the mock, in ticks per token (10^10 ticks per US dollar). */
export const PRICE_INPUT = 2_000 // $0.20 per million
export const PRICE_CACHED = 500 // $0.05 per million
export const PRICE_OUTPUT = 5_000 // $0.50 per million

export interface CompletionTokens {
  readonly completion: number
  readonly reasoning: number
}

/** The usage object's JSON text. */
export const usageJson = (request: ChatCompletionRequest, output: CompletionTokens): string => {
  let textTokens = 0
  let imageTokens = 0
  let lastMessage = 0
  for (const message of request.messages) {
    const tokens = messageTokens(message)
    textTokens += tokens.text
    imageTokens += tokens.image
    lastMessage = tokens.text + tokens.image
  }
  if (request.tools !== undefined) {
    for (const tool of request.tools) {
      const properties = tool.function.parameters?.properties
      textTokens += 10 + countTokens(tool.function.description ?? "")
        + 4 * (properties === undefined ? 0 : Object.keys(properties).length)
    }
  }
  const prompt = textTokens + imageTokens
  const cached = request.messages.length > 1 ? prompt - lastMessage : 0
  const { completion, reasoning } = output
  const cost = PRICE_INPUT * (prompt - cached) + PRICE_CACHED * cached + PRICE_OUTPUT * (completion + reasoning)
  return `{"prompt_tokens":${prompt},"completion_tokens":${completion},"total_tokens":${
    prompt + completion + reasoning
  },"prompt_tokens_details":{"text_tokens":${textTokens},"audio_tokens":0,"image_tokens":${imageTokens},"cached_tokens":${cached}},"completion_tokens_details":{"reasoning_tokens":${reasoning},"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0},"num_sources_used":0,"cost_in_usd_ticks":${cost}}`
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

export interface WireToolCall {
  readonly id: string
  readonly name: string
  readonly arguments: string
}

/** One assistant message, as the completion or the stream carries it. */
export interface AssistantReply {
  readonly content: string
  readonly reasoningContent: string | undefined
  /** One list of calls per choice (distinct ids), empty lists when the reply is text. */
  readonly toolCalls: ReadonlyArray<ReadonlyArray<WireToolCall>>
  readonly finishReason: string
}

export const replyTokens = (request: ChatCompletionRequest, reply: AssistantReply): CompletionTokens => {
  const choices = reply.toolCalls.length
  let completion = countTokens(reply.content)
  for (const call of reply.toolCalls[0] ?? []) completion += 1 + countTokens(call.arguments)
  let reasoning = 0
  if (reply.reasoningContent !== undefined) reasoning = countTokens(reply.reasoningContent)
  else if (MockModels.reasons(request.model) && request.reasoning_effort !== "none") reasoning = 10 + completion
  return { completion: completion * choices, reasoning: reasoning * choices }
}

const toolCallsJson = (calls: ReadonlyArray<WireToolCall>, withIndex: boolean): string => {
  let out = "["
  for (let index = 0; index < calls.length; index++) {
    const call = calls[index]!
    if (index > 0) out += ","
    out += `{"id":${JSON.stringify(call.id)},"function":{"name":${JSON.stringify(call.name)},"arguments":${
      JSON.stringify(call.arguments)
    }},${withIndex ? `"index":${index},` : ""}"type":"function"}`
  }
  return out + "]"
}

export interface CompletionFrame {
  readonly id: string
  readonly created: number
  readonly model: string
}

/** The `chat.completion` JSON text. */
export const completionJson = (
  frame: CompletionFrame,
  request: ChatCompletionRequest,
  reply: AssistantReply
): string => {
  const content = JSON.stringify(reply.content)
  const reasoning = reply.reasoningContent === undefined
    ? ""
    : `,"reasoning_content":${JSON.stringify(reply.reasoningContent)}`
  const finish = JSON.stringify(reply.finishReason)
  let choices = ""
  for (let index = 0; index < reply.toolCalls.length; index++) {
    const calls = reply.toolCalls[index]!
    const toolCalls = calls.length > 0 ? `,"tool_calls":${toolCallsJson(calls, false)}` : ""
    if (index > 0) choices += ","
    choices +=
      `{"index":${index},"message":{"role":"assistant","content":${content}${reasoning}${toolCalls},"refusal":null},"finish_reason":${finish}}`
  }
  return `{"id":"${frame.id}","object":"chat.completion","created":${frame.created},"model":${
    JSON.stringify(frame.model)
  },"choices":[${choices}],"usage":${
    usageJson(request, replyTokens(request, reply))
  },"system_fingerprint":"${SYSTEM_FINGERPRINT}"}`
}

/** Splits a text into token-like pieces: words with their leading whitespace. */
export const pieces = (text: string): Array<string> => {
  const found: Array<string> = text.match(/\s*\S+/g) ?? []
  let length = 0
  for (const piece of found) length += piece.length
  if (length < text.length) {
    const trailing = text.slice(length)
    if (found.length === 0) found.push(trailing)
    else found[found.length - 1] += trailing
  }
  return found
}

/** The SSE events of a streamed completion, and where the finish chunks start. */
export interface StreamEvents {
  readonly events: ReadonlyArray<string>
  /** Index of the first finish chunk: every event before it carries a delta. */
  readonly finishIndex: number
  /** How many delta events one choice has. */
  readonly deltaCount: number
}

export const streamEvents = (
  frame: CompletionFrame,
  request: ChatCompletionRequest,
  reply: AssistantReply
): StreamEvents => {
  const head = `data: {"id":"${frame.id}","object":"chat.completion.chunk","created":${frame.created},"model":${
    JSON.stringify(frame.model)
  },"choices":[`
  const tail = `],"system_fingerprint":"${SYSTEM_FINGERPRINT}"}\n\n`
  const deltas: Array<string> = []
  if (reply.reasoningContent !== undefined) {
    for (const piece of pieces(reply.reasoningContent)) deltas.push(`"reasoning_content":${JSON.stringify(piece)}`)
  }
  for (const piece of pieces(reply.content)) deltas.push(`"content":${JSON.stringify(piece)}`)
  const choices = reply.toolCalls.length
  const hasToolCalls = (reply.toolCalls[0]?.length ?? 0) > 0
  if (deltas.length === 0 && !hasToolCalls) deltas.push(`"content":""`)
  const deltaCount = deltas.length + (hasToolCalls ? 1 : 0)
  const events: Array<string> = []
  for (let step = 0; step < deltaCount; step++) {
    for (let index = 0; index < choices; index++) {
      let delta = step < deltas.length ? deltas[step]! : `"tool_calls":${toolCallsJson(reply.toolCalls[index]!, true)}`
      if (step === 0) delta += `,"role":"assistant"`
      events.push(`${head}{"index":${index},"delta":{${delta}}}${tail}`)
    }
  }
  const finishIndex = events.length
  const finish = JSON.stringify(reply.finishReason)
  for (let index = 0; index < choices; index++) {
    events.push(`${head}{"index":${index},"delta":{},"finish_reason":${finish}}${tail}`)
  }
  if (request.stream_options?.include_usage === true) {
    events.push(
      `${head}],"usage":${
        usageJson(request, replyTokens(request, reply))
      },"system_fingerprint":"${SYSTEM_FINGERPRINT}"}\n\n`
    )
  }
  events.push("data: [DONE]\n\n")
  return { events, finishIndex, deltaCount }
}
