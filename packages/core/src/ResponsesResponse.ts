/**
 * The response of `POST /v1/responses` (`object: "response"`): its output items (the
 * assistant's message with `output_text` and `url_citation` annotations, function calls,
 * server-side `web_search_call` / `x_search_call` items, reasoning), its status and its usage
 * (with `num_server_side_tools_used` and `cost_in_usd_ticks`).
 *
 * Decoding is tolerant, as for chat completions: unknown fields are ignored, nullable fields
 * accept `null`, and an output item, content part or annotation of a type this module does not
 * know decodes as a generic `{ type, ... }` value instead of failing, so that what xAI adds
 * tomorrow never breaks a decode. A KNOWN type with a wrong shape still fails.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { NonNegativeInteger, optionalNullable, tolerantParseOptions } from "./WireSchema.ts"

const notIn = (known: ReadonlyArray<string>, what: string) => {
  const set = new Set(known)
  return Schema.String.check(
    Schema.makeFilter<string>((type) => !set.has(type), { expected: `a ${what} type other than ${known.join(", ")}` })
  )
}

// ---------------------------------------------------------------------------------------------
// Annotations and content
// ---------------------------------------------------------------------------------------------

/**
 * A citation of a web page (or an X post) in the text: its URL, and where xAI knows them, its
 * title and the span of the text it supports.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UrlCitation = Schema.Struct({
  type: Schema.Literal("url_citation"),
  url: Schema.String,
  title: optionalNullable(Schema.String),
  start_index: optionalNullable(NonNegativeInteger),
  end_index: optionalNullable(NonNegativeInteger)
})

/**
 * @since 0.1.0
 * @category models
 */
export type UrlCitation = typeof UrlCitation.Type

/**
 * An annotation of another type (kept, not interpreted).
 *
 * @since 0.1.0
 * @category schemas
 */
export const OtherAnnotation = Schema.Struct({ type: notIn(["url_citation"], "annotation") })

/**
 * An annotation on output text.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Annotation = Schema.Union([UrlCitation, OtherAnnotation])

/**
 * @since 0.1.0
 * @category models
 */
export type Annotation = typeof Annotation.Type

/**
 * Text the model wrote, with its annotations.
 *
 * @since 0.1.0
 * @category schemas
 */
export const OutputText = Schema.Struct({
  type: Schema.Literal("output_text"),
  text: Schema.String,
  annotations: optionalNullable(Schema.Array(Annotation)),
  logprobs: optionalNullable(Schema.Array(Schema.Unknown))
})

/**
 * @since 0.1.0
 * @category models
 */
export type OutputText = typeof OutputText.Type

/**
 * The model refused.
 *
 * @since 0.1.0
 * @category schemas
 */
export const OutputRefusal = Schema.Struct({
  type: Schema.Literal("refusal"),
  refusal: Schema.String
})

/**
 * A content part of another type (kept, not interpreted).
 *
 * @since 0.1.0
 * @category schemas
 */
export const OtherContent = Schema.Struct({ type: notIn(["output_text", "refusal"], "content part") })

/**
 * One content part of an output message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const OutputContent = Schema.Union([OutputText, OutputRefusal, OtherContent])

/**
 * @since 0.1.0
 * @category models
 */
export type OutputContent = typeof OutputContent.Type

// ---------------------------------------------------------------------------------------------
// Output items
// ---------------------------------------------------------------------------------------------

/**
 * The assistant's message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const OutputMessage = Schema.Struct({
  type: Schema.Literal("message"),
  id: optionalNullable(Schema.String),
  role: Schema.String,
  status: optionalNullable(Schema.String),
  content: Schema.Array(OutputContent)
})

/**
 * @since 0.1.0
 * @category models
 */
export type OutputMessage = typeof OutputMessage.Type

/**
 * A call of a client-side function: run it and send a `function_call_output` with the same
 * `call_id`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const OutputFunctionCall = Schema.Struct({
  type: Schema.Literal("function_call"),
  id: optionalNullable(Schema.String),
  call_id: Schema.String,
  name: Schema.String,
  arguments: Schema.String,
  status: optionalNullable(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type OutputFunctionCall = typeof OutputFunctionCall.Type

/**
 * The types of the items that record a call of a server-side tool, which xAI ran itself.
 *
 * @since 0.1.0
 * @category constants
 */
export const serverToolCallTypes = [
  "web_search_call",
  "x_search_call",
  "code_interpreter_call",
  "code_execution_call",
  "file_search_call",
  "mcp_call",
  "view_image_call",
  "view_x_video_call",
  "custom_tool_call"
] as const

/**
 * A call of a server-side tool (already run by xAI): `name` is xAI's internal tool name (e.g.
 * `web_search`, `x_semantic_search`), `arguments` a JSON text, `call_id` usually `""`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ServerToolCall = Schema.Struct({
  type: Schema.Literals(serverToolCallTypes),
  id: Schema.String,
  name: optionalNullable(Schema.String),
  arguments: optionalNullable(Schema.String),
  call_id: optionalNullable(Schema.String),
  status: optionalNullable(Schema.String),
  action: optionalNullable(Schema.Unknown)
})

/**
 * @since 0.1.0
 * @category models
 */
export type ServerToolCall = typeof ServerToolCall.Type

/**
 * What the model reasoned: a summary, and the encrypted reasoning when it was asked for.
 *
 * @since 0.1.0
 * @category schemas
 */
export const OutputReasoning = Schema.Struct({
  type: Schema.Literal("reasoning"),
  id: optionalNullable(Schema.String),
  summary: optionalNullable(Schema.Array(Schema.Struct({ type: Schema.String, text: Schema.String }))),
  encrypted_content: optionalNullable(Schema.String),
  status: optionalNullable(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type OutputReasoning = typeof OutputReasoning.Type

/**
 * An output item of another type (kept, not interpreted).
 *
 * @since 0.1.0
 * @category schemas
 */
export const OtherOutputItem = Schema.Struct({
  type: notIn(["message", "function_call", "reasoning", ...serverToolCallTypes], "output item"),
  id: optionalNullable(Schema.String)
})

/**
 * One item of a response's output.
 *
 * @since 0.1.0
 * @category schemas
 */
export const OutputItem = Schema.Union([
  OutputMessage,
  OutputFunctionCall,
  ServerToolCall,
  OutputReasoning,
  OtherOutputItem
])

/**
 * @since 0.1.0
 * @category models
 */
export type OutputItem = typeof OutputItem.Type

// ---------------------------------------------------------------------------------------------
// Usage and the response
// ---------------------------------------------------------------------------------------------

/**
 * Usage of a response. `output_tokens` includes the reasoning tokens here (unlike chat's
 * `completion_tokens`), and `total_tokens = input_tokens + output_tokens`. Server-side tool
 * calls are counted in `num_server_side_tools_used` and billed in `cost_in_usd_ticks` (10^10
 * ticks per US dollar).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponsesUsage = Schema.Struct({
  input_tokens: NonNegativeInteger,
  output_tokens: NonNegativeInteger,
  total_tokens: optionalNullable(NonNegativeInteger),
  input_tokens_details: optionalNullable(Schema.Struct({ cached_tokens: optionalNullable(NonNegativeInteger) })),
  output_tokens_details: optionalNullable(Schema.Struct({ reasoning_tokens: optionalNullable(NonNegativeInteger) })),
  num_sources_used: optionalNullable(NonNegativeInteger),
  num_server_side_tools_used: optionalNullable(NonNegativeInteger),
  server_side_tool_usage_details: optionalNullable(Schema.Record(Schema.String, Schema.Unknown)),
  cost_in_usd_ticks: optionalNullable(NonNegativeInteger)
})

/**
 * @since 0.1.0
 * @category models
 */
export type ResponsesUsage = typeof ResponsesUsage.Type

/**
 * Why a response is `incomplete` (e.g. `max_output_tokens`), or what failed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseError = Schema.Struct({
  code: optionalNullable(Schema.String),
  message: Schema.String
})

/**
 * A response (`object: "response"`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponsesResponse = Schema.Struct({
  id: Schema.String,
  object: optionalNullable(Schema.String),
  created_at: optionalNullable(Schema.Finite),
  model: Schema.String,
  status: Schema.String,
  output: Schema.Array(OutputItem),
  usage: optionalNullable(ResponsesUsage),
  error: optionalNullable(ResponseError),
  incomplete_details: optionalNullable(Schema.Struct({ reason: optionalNullable(Schema.String) })),
  previous_response_id: optionalNullable(Schema.String),
  parallel_tool_calls: optionalNullable(Schema.Boolean),
  tool_choice: optionalNullable(Schema.Unknown),
  tools: optionalNullable(Schema.Array(Schema.Unknown)),
  max_output_tokens: optionalNullable(Schema.Finite),
  store: optionalNullable(Schema.Boolean)
})

/**
 * @since 0.1.0
 * @category models
 */
export type ResponsesResponse = typeof ResponsesResponse.Type

/**
 * Decodes a response body, ignoring unknown fields.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeResponsesResponse = Schema.decodeUnknownEffect(ResponsesResponse, tolerantParseOptions)

// ---------------------------------------------------------------------------------------------
// Accessors
// ---------------------------------------------------------------------------------------------

/**
 * Whether an output item is the assistant's message.
 *
 * @since 0.1.0
 * @category guards
 */
export const isOutputMessage = (item: OutputItem): item is OutputMessage => item.type === "message"

/**
 * Whether an output item is a function call.
 *
 * @since 0.1.0
 * @category guards
 */
export const isOutputFunctionCall = (item: OutputItem): item is OutputFunctionCall => item.type === "function_call"

const serverTypes: ReadonlySet<string> = new Set(serverToolCallTypes)

/**
 * Whether an output item records a server-side tool call.
 *
 * @since 0.1.0
 * @category guards
 */
export const isServerToolCall = (item: OutputItem): item is ServerToolCall => serverTypes.has(item.type)

/**
 * Whether an annotation is a URL citation.
 *
 * @since 0.1.0
 * @category guards
 */
export const isUrlCitation = (annotation: Annotation): annotation is UrlCitation => annotation.type === "url_citation"

/**
 * The text of the assistant's messages, joined.
 *
 * @example
 * ```ts
 * responseText(response) // => "xAI is an American artificial intelligence company ..."
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const responseText = (response: ResponsesResponse): string => {
  let text = ""
  for (const item of response.output) {
    if (item.type !== "message") continue
    for (const part of (item as OutputMessage).content) {
      if (part.type === "output_text") text += (part as OutputText).text
    }
  }
  return text
}

/**
 * Every URL citation of the assistant's messages, in order; the same URL cited twice appears
 * once (its first citation).
 *
 * @since 0.1.0
 * @category accessors
 */
export const responseUrlCitations = (response: ResponsesResponse): ReadonlyArray<UrlCitation> => {
  const seen = new Set<string>()
  const out: Array<UrlCitation> = []
  for (const item of response.output) {
    if (item.type !== "message") continue
    for (const part of (item as OutputMessage).content) {
      if (part.type !== "output_text") continue
      for (const annotation of (part as OutputText).annotations ?? []) {
        if (isUrlCitation(annotation) && !seen.has(annotation.url)) {
          seen.add(annotation.url)
          out.push(annotation)
        }
      }
    }
  }
  return out
}

/**
 * The function calls of a response, in order.
 *
 * @since 0.1.0
 * @category accessors
 */
export const responseFunctionCalls = (response: ResponsesResponse): ReadonlyArray<OutputFunctionCall> =>
  response.output.filter(isOutputFunctionCall)

/**
 * The server-side tool calls of a response (searches xAI ran), in order.
 *
 * @since 0.1.0
 * @category accessors
 */
export const responseServerToolCalls = (response: ResponsesResponse): ReadonlyArray<ServerToolCall> =>
  response.output.filter(isServerToolCall)

/**
 * The reasoning summaries of a response, joined, or `undefined` when there are none.
 *
 * @since 0.1.0
 * @category accessors
 */
export const responseReasoning = (response: ResponsesResponse): string | undefined => {
  const parts: Array<string> = []
  for (const item of response.output) {
    if (item.type !== "reasoning") continue
    for (const summary of (item as OutputReasoning).summary ?? []) parts.push(summary.text)
  }
  return parts.length === 0 ? undefined : parts.join("\n")
}
