/**
 * The response of a non-streaming chat completion (`object: "chat.completion"`). Unknown fields
 * are ignored and nullable fields accept `null`, so a field xAI adds never breaks a decode.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Usage } from "./Usage.ts"
import { NonNegativeInteger, optionalNullable, tolerantParseOptions } from "./WireSchema.ts"

/**
 * Why the model stopped: `stop`, `length`, `tool_calls`, `end_turn`, `content_filter`, ... The set
 * is open; an unknown reason still decodes.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FinishReason = Schema.String

/**
 * A tool call in a response. `type` is tolerated when absent.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseToolCall = Schema.Struct({
  id: Schema.String,
  type: Schema.optionalKey(Schema.String),
  index: optionalNullable(NonNegativeInteger),
  function: Schema.Struct({
    name: Schema.String,
    arguments: Schema.String
  })
})

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseToolCall = typeof ResponseToolCall.Type

/**
 * The assistant's message: text (`""` or `null` when it only calls tools), reasoning, tool calls.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseMessage = Schema.Struct({
  role: Schema.String,
  content: optionalNullable(Schema.String),
  reasoning_content: optionalNullable(Schema.String),
  tool_calls: optionalNullable(Schema.Array(ResponseToolCall)),
  refusal: optionalNullable(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseMessage = typeof ResponseMessage.Type

/**
 * One choice of a completion.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Choice = Schema.Struct({
  index: NonNegativeInteger,
  message: ResponseMessage,
  finish_reason: optionalNullable(FinishReason),
  logprobs: optionalNullable(Schema.Unknown)
})

/**
 * @since 0.1.0
 * @category models
 */
export type Choice = typeof Choice.Type

/**
 * A chat completion.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletion = Schema.Struct({
  id: Schema.String,
  object: Schema.String,
  created: Schema.Finite,
  model: Schema.String,
  choices: Schema.Array(Choice),
  usage: optionalNullable(Usage),
  system_fingerprint: optionalNullable(Schema.String),
  citations: optionalNullable(Schema.Array(Schema.String)),
  service_tier: optionalNullable(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type ChatCompletion = typeof ChatCompletion.Type

/**
 * Decodes a response body, ignoring unknown fields.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeChatCompletion = Schema.decodeUnknownEffect(ChatCompletion, tolerantParseOptions)
