/**
 * One streamed event of a chat completion (`object: "chat.completion.chunk"`). xAI sends each tool
 * call whole in one delta, and may leave out its `index`; OpenAI-style fragments decode too.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Usage } from "./Usage.ts"
import { NonNegativeInteger, optionalNullable, tolerantParseOptions } from "./WireSchema.ts"

/**
 * A tool call inside a delta: whole on xAI, possibly a fragment elsewhere.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ToolCallDelta = Schema.Struct({
  index: optionalNullable(NonNegativeInteger),
  id: optionalNullable(Schema.String),
  type: optionalNullable(Schema.String),
  function: optionalNullable(Schema.Struct({
    name: optionalNullable(Schema.String),
    arguments: optionalNullable(Schema.String)
  }))
})

/**
 * @since 0.1.0
 * @category models
 */
export type ToolCallDelta = typeof ToolCallDelta.Type

/**
 * What one chunk adds to the message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChunkDelta = Schema.Struct({
  role: optionalNullable(Schema.String),
  content: optionalNullable(Schema.String),
  reasoning_content: optionalNullable(Schema.String),
  tool_calls: optionalNullable(Schema.Array(ToolCallDelta)),
  refusal: optionalNullable(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type ChunkDelta = typeof ChunkDelta.Type

/**
 * One choice of a chunk.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChunkChoice = Schema.Struct({
  index: NonNegativeInteger,
  delta: ChunkDelta,
  finish_reason: optionalNullable(Schema.String),
  logprobs: optionalNullable(Schema.Unknown)
})

/**
 * @since 0.1.0
 * @category models
 */
export type ChunkChoice = typeof ChunkChoice.Type

/**
 * A streamed chunk. The last one, when `stream_options.include_usage` is set, has `choices: []`
 * and the usage.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionChunk = Schema.Struct({
  id: Schema.String,
  object: Schema.String,
  created: Schema.Finite,
  model: Schema.String,
  choices: Schema.Array(ChunkChoice),
  usage: optionalNullable(Usage),
  system_fingerprint: optionalNullable(Schema.String),
  citations: optionalNullable(Schema.Array(Schema.String)),
  service_tier: optionalNullable(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type ChatCompletionChunk = typeof ChatCompletionChunk.Type

/**
 * Decodes one chunk, ignoring unknown fields.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeChatCompletionChunk = Schema.decodeUnknownEffect(ChatCompletionChunk, tolerantParseOptions)
