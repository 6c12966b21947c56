/**
 * The body of `POST /v1/chat/completions`, exactly as xAI reads it: every field of the seed's
 * `create_chat_completion` tool, with the seed's bounds, plus the API's own fields beyond it.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { ChatMessage } from "./ChatMessage.ts"
import { ChatTool, ToolChoice } from "./ChatTool.ts"
import { ResponseFormat } from "./ResponseFormat.ts"
import { SearchParameters } from "./SearchParameters.ts"
import { NonNegativeInteger, NumberBetween, PositiveInteger, strictParseOptions } from "./WireSchema.ts"

/**
 * How hard a reasoning model thinks. Which values a model accepts depends on the model.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReasoningEffort = Schema.Literals(["none", "low", "medium", "high", "xhigh"])

/**
 * @since 0.1.0
 * @category models
 */
export type ReasoningEffort = typeof ReasoningEffort.Type

/**
 * A token id (a decimal integer, as a JSON object key) mapped to a bias between -100 and 100.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LogitBias = Schema.Record(
  Schema.String.check(Schema.isPattern(/^\d+$/, { expected: "a token id (a decimal integer)" })),
  NumberBetween(-100, 100)
)

/**
 * The chat completion request.
 *
 * @example
 * ```ts
 * import { ChatCompletionRequest } from "@grokit/core"
 * import { Schema } from "effect"
 *
 * const request = Schema.decodeUnknownSync(ChatCompletionRequest)({
 *   model: "grok-4.3",
 *   messages: [{ role: "user", content: "Hello" }]
 * })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionRequest = Schema.Struct({
  model: Schema.String.check(Schema.isMinLength(1)),
  messages: Schema.Array(ChatMessage).check(Schema.isMinLength(1)),
  frequency_penalty: Schema.optionalKey(NumberBetween(-2, 2)),
  presence_penalty: Schema.optionalKey(NumberBetween(-2, 2)),
  logit_bias: Schema.optionalKey(LogitBias),
  logprobs: Schema.optionalKey(Schema.Boolean),
  top_logprobs: Schema.optionalKey(NonNegativeInteger.check(Schema.isLessThanOrEqualTo(8))),
  max_tokens: Schema.optionalKey(PositiveInteger),
  max_completion_tokens: Schema.optionalKey(PositiveInteger),
  n: Schema.optionalKey(PositiveInteger),
  parallel_tool_calls: Schema.optionalKey(Schema.Boolean),
  reasoning_effort: Schema.optionalKey(ReasoningEffort),
  response_format: Schema.optionalKey(ResponseFormat),
  search_parameters: Schema.optionalKey(SearchParameters),
  seed: Schema.optionalKey(Schema.Int),
  stop: Schema.optionalKey(Schema.Union([Schema.String, Schema.Array(Schema.String).check(Schema.isMaxLength(4))])),
  stream: Schema.optionalKey(Schema.Boolean),
  stream_options: Schema.optionalKey(Schema.Struct({ include_usage: Schema.Boolean })),
  temperature: Schema.optionalKey(NumberBetween(0, 2)),
  top_p: Schema.optionalKey(NumberBetween(0, 1)),
  tool_choice: Schema.optionalKey(ToolChoice),
  tools: Schema.optionalKey(Schema.Array(ChatTool)),
  user: Schema.optionalKey(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type ChatCompletionRequest = typeof ChatCompletionRequest.Type

/**
 * Decodes an unknown value into a request, strictly: unknown keys are errors and every issue is
 * reported.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeChatCompletionRequest = Schema.decodeUnknownEffect(ChatCompletionRequest, strictParseOptions)
