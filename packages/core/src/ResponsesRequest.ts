/**
 * The body of `POST /v1/responses`, xAI's Responses API: the input items (messages, function
 * calls and their outputs, reasoning), the tools (functions, and the server-side `web_search`
 * and `x_search` that replaced Live Search), `tool_choice` and the generation options.
 *
 * Request Schemas are strict, like the chat request's: an unknown key is an error, so that a
 * mistake (e.g. `search_parameters`, which xAI removed) is caught before the request is sent.
 *
 * Server-side tools run on xAI's side: the response carries `web_search_call` / `x_search_call`
 * items and a message whose text cites the pages it read with `url_citation` annotations. They
 * cannot be forced with `tool_choice` (xAI accepts `auto`, `none`, `required` and a named
 * FUNCTION only).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { ImageDetail } from "./ChatMessage.ts"
import { FunctionParameters } from "./ChatTool.ts"
import { MAX_TOOLS, rejectsReasoningEffort } from "./ModelCapabilities.ts"
import type { Refusal } from "./ModelCapabilities.ts"
import { NumberBetween, PositiveInteger, strictParseOptions } from "./WireSchema.ts"

/**
 * The most domains `web_search` takes in `allowed_domains` or `excluded_domains`.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_WEB_SEARCH_DOMAINS = 5

/**
 * The most handles `x_search` takes in `allowed_x_handles` or `excluded_x_handles`.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_X_HANDLES = 10

/**
 * An ISO date, `YYYY-MM-DD`, as `x_search` takes it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IsoDate = Schema.String.check(
  Schema.isPattern(/^\d{4}-\d{2}-\d{2}$/, { expected: "an ISO date (YYYY-MM-DD)" })
).annotate({ description: "ISO date, YYYY-MM-DD" })

// ---------------------------------------------------------------------------------------------
// Input items
// ---------------------------------------------------------------------------------------------

/**
 * Text in an input message: `{ "type": "input_text", "text": "..." }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const InputText = Schema.Struct({
  type: Schema.Literal("input_text"),
  text: Schema.String
})

/**
 * An image in an input message: an `https://` or `data:` URL.
 *
 * @since 0.1.0
 * @category schemas
 */
export const InputImage = Schema.Struct({
  type: Schema.Literal("input_image"),
  image_url: Schema.String,
  detail: Schema.optionalKey(ImageDetail)
})

/**
 * A document in an input message, by URL or by a Files API id.
 *
 * @since 0.1.0
 * @category schemas
 */
export const InputFile = Schema.Struct({
  type: Schema.Literal("input_file"),
  file_url: Schema.optionalKey(Schema.String),
  file_id: Schema.optionalKey(Schema.String)
})

/**
 * Text the assistant wrote earlier, replayed as input.
 *
 * @since 0.1.0
 * @category schemas
 */
export const InputOutputText = Schema.Struct({
  type: Schema.Literal("output_text"),
  text: Schema.String
})

/**
 * One part of an input message's content.
 *
 * @since 0.1.0
 * @category schemas
 */
export const InputContentPart = Schema.Union([InputText, InputImage, InputFile, InputOutputText])

/**
 * @since 0.1.0
 * @category models
 */
export type InputContentPart = typeof InputContentPart.Type

/**
 * A message of the conversation: the role and its content (a string, or parts). `developer` is
 * the Responses API's name for system instructions; `system` works too.
 *
 * @since 0.1.0
 * @category schemas
 */
export const InputMessage = Schema.Struct({
  type: Schema.optionalKey(Schema.Literal("message")),
  role: Schema.Literals(["system", "developer", "user", "assistant"]),
  content: Schema.Union([Schema.String, Schema.Array(InputContentPart)]),
  id: Schema.optionalKey(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type InputMessage = typeof InputMessage.Type

/**
 * A function call the model made earlier, replayed as input so that its output can follow.
 *
 * @since 0.1.0
 * @category schemas
 */
export const InputFunctionCall = Schema.Struct({
  type: Schema.Literal("function_call"),
  call_id: Schema.String.check(Schema.isMinLength(1)),
  name: Schema.String,
  arguments: Schema.String,
  id: Schema.optionalKey(Schema.String),
  status: Schema.optionalKey(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type InputFunctionCall = typeof InputFunctionCall.Type

/**
 * The result of a function call, answering the call with the same `call_id`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FunctionCallOutput = Schema.Struct({
  type: Schema.Literal("function_call_output"),
  call_id: Schema.String.check(Schema.isMinLength(1)),
  output: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type FunctionCallOutput = typeof FunctionCallOutput.Type

/**
 * A reasoning item replayed as input (with its `encrypted_content` when the response was not
 * stored).
 *
 * @since 0.1.0
 * @category schemas
 */
export const InputReasoning = Schema.Struct({
  type: Schema.Literal("reasoning"),
  id: Schema.String,
  summary: Schema.Array(Schema.Struct({ type: Schema.Literal("summary_text"), text: Schema.String })),
  encrypted_content: Schema.optionalKey(Schema.String),
  status: Schema.optionalKey(Schema.String)
})

/**
 * One item of the input.
 *
 * @since 0.1.0
 * @category schemas
 */
export const InputItem = Schema.Union([InputMessage, InputFunctionCall, FunctionCallOutput, InputReasoning])

/**
 * @since 0.1.0
 * @category models
 */
export type InputItem = typeof InputItem.Type

// ---------------------------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------------------------

/**
 * A function the model may call (flat, unlike chat's `{ type, function: {...} }`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponsesFunctionTool = Schema.Struct({
  type: Schema.Literal("function"),
  name: Schema.String.check(Schema.isMinLength(1)),
  description: Schema.optionalKey(Schema.String),
  parameters: Schema.optionalKey(FunctionParameters),
  strict: Schema.optionalKey(Schema.Boolean)
})

/**
 * @since 0.1.0
 * @category models
 */
export type ResponsesFunctionTool = typeof ResponsesFunctionTool.Type

const exclusive = <T extends object>(first: keyof T & string, second: keyof T & string) =>
  Schema.makeFilter<T>((value) =>
    value[first] !== undefined && value[second] !== undefined
      ? { path: [second], issue: `${first} and ${second} cannot be used together` }
      : undefined
  )

const DomainList = Schema.Array(Schema.String.check(Schema.isMinLength(1))).check(
  Schema.isMaxLength(MAX_WEB_SEARCH_DOMAINS)
)

const HandleList = Schema.Array(Schema.String.check(Schema.isMinLength(1))).check(Schema.isMaxLength(MAX_X_HANDLES))

/**
 * Where the user is, approximately, so that web results fit: a hint, not a filter.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebSearchUserLocation = Schema.Struct({
  type: Schema.Literal("approximate"),
  country: Schema.optionalKey(
    Schema.String.check(Schema.isPattern(/^[A-Za-z]{2}$/, { expected: "an ISO alpha-2 country code" }))
  ),
  city: Schema.optionalKey(Schema.String),
  region: Schema.optionalKey(Schema.String),
  timezone: Schema.optionalKey(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type WebSearchUserLocation = typeof WebSearchUserLocation.Type

/**
 * The server-side web search tool: xAI searches the web and browses pages. At most 5
 * `allowed_domains` or 5 `excluded_domains`, not both.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebSearchTool = Schema.Struct({
  type: Schema.Literal("web_search"),
  allowed_domains: Schema.optionalKey(DomainList),
  excluded_domains: Schema.optionalKey(DomainList),
  user_location: Schema.optionalKey(WebSearchUserLocation),
  enable_image_understanding: Schema.optionalKey(Schema.Boolean),
  enable_image_search: Schema.optionalKey(Schema.Boolean),
  search_context_size: Schema.optionalKey(Schema.Literals(["low", "medium", "high"]))
}).check(exclusive<{ allowed_domains?: unknown; excluded_domains?: unknown }>("allowed_domains", "excluded_domains"))

/**
 * @since 0.1.0
 * @category models
 */
export type WebSearchTool = typeof WebSearchTool.Type

/**
 * The server-side X search tool: xAI searches posts on X. At most 10 `allowed_x_handles` or 10
 * `excluded_x_handles`, not both; `from_date` / `to_date` bound the posts' dates.
 *
 * @since 0.1.0
 * @category schemas
 */
export const XSearchTool = Schema.Struct({
  type: Schema.Literal("x_search"),
  allowed_x_handles: Schema.optionalKey(HandleList),
  excluded_x_handles: Schema.optionalKey(HandleList),
  from_date: Schema.optionalKey(IsoDate),
  to_date: Schema.optionalKey(IsoDate),
  enable_image_understanding: Schema.optionalKey(Schema.Boolean),
  enable_video_understanding: Schema.optionalKey(Schema.Boolean)
}).check(
  exclusive<{ allowed_x_handles?: unknown; excluded_x_handles?: unknown }>("allowed_x_handles", "excluded_x_handles"),
  Schema.makeFilter<{ from_date?: string; to_date?: string }>((tool) =>
    tool.from_date !== undefined && tool.to_date !== undefined && tool.from_date > tool.to_date
      ? { path: ["to_date"], issue: `to_date ${tool.to_date} is before from_date ${tool.from_date}` }
      : undefined
  )
)

/**
 * @since 0.1.0
 * @category models
 */
export type XSearchTool = typeof XSearchTool.Type

/**
 * A server-side search tool: `web_search` or `x_search`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ServerSideTool = Schema.Union([WebSearchTool, XSearchTool])

/**
 * @since 0.1.0
 * @category models
 */
export type ServerSideTool = typeof ServerSideTool.Type

/**
 * Any tool of a Responses request.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponsesTool = Schema.Union([ResponsesFunctionTool, WebSearchTool, XSearchTool])

/**
 * @since 0.1.0
 * @category models
 */
export type ResponsesTool = typeof ResponsesTool.Type

/**
 * Which tool the model calls: `auto`, `none`, `required` (some tool), or one named function.
 * Server-side tools cannot be named here.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponsesToolChoice = Schema.Union([
  Schema.Literals(["auto", "none", "required"]),
  Schema.Struct({ type: Schema.Literal("function"), name: Schema.String })
])

/**
 * @since 0.1.0
 * @category models
 */
export type ResponsesToolChoice = typeof ResponsesToolChoice.Type

/**
 * The format of the answer: text, any JSON object, or JSON matching a schema.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponsesTextFormat = Schema.Union([
  Schema.Struct({ type: Schema.Literal("text") }),
  Schema.Struct({ type: Schema.Literal("json_object") }),
  Schema.Struct({
    type: Schema.Literal("json_schema"),
    name: Schema.String,
    schema: Schema.Record(Schema.String, Schema.Unknown),
    description: Schema.optionalKey(Schema.String),
    strict: Schema.optionalKey(Schema.Boolean)
  })
])

/**
 * @since 0.1.0
 * @category models
 */
export type ResponsesTextFormat = typeof ResponsesTextFormat.Type

// ---------------------------------------------------------------------------------------------
// The request
// ---------------------------------------------------------------------------------------------

/**
 * The Responses request.
 *
 * @example
 * ```ts
 * import { ResponsesRequest } from "@grokit/core"
 * import { Schema } from "effect"
 *
 * const request = Schema.decodeUnknownSync(ResponsesRequest)({
 *   model: "grok-4.3",
 *   input: [{ role: "user", content: "What is xAI?" }],
 *   tools: [{ type: "web_search", excluded_domains: ["example.com"] }, { type: "x_search", allowed_x_handles: ["xai"] }]
 * })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponsesRequest = Schema.Struct({
  model: Schema.String.check(Schema.isMinLength(1)),
  input: Schema.Union([
    Schema.String.check(Schema.isMinLength(1)),
    Schema.Array(InputItem).check(Schema.isMinLength(1))
  ]),
  instructions: Schema.optionalKey(Schema.String),
  tools: Schema.optionalKey(Schema.Array(ResponsesTool)),
  tool_choice: Schema.optionalKey(ResponsesToolChoice),
  parallel_tool_calls: Schema.optionalKey(Schema.Boolean),
  max_output_tokens: Schema.optionalKey(PositiveInteger),
  temperature: Schema.optionalKey(NumberBetween(0, 2)),
  top_p: Schema.optionalKey(NumberBetween(0, 1)),
  stream: Schema.optionalKey(Schema.Boolean),
  store: Schema.optionalKey(Schema.Boolean),
  previous_response_id: Schema.optionalKey(Schema.String),
  include: Schema.optionalKey(Schema.Array(Schema.String)),
  reasoning: Schema.optionalKey(Schema.Struct({
    effort: Schema.optionalKey(Schema.Literals(["none", "low", "medium", "high", "xhigh"])),
    summary: Schema.optionalKey(Schema.Literals(["auto", "concise", "detailed"]))
  })),
  text: Schema.optionalKey(Schema.Struct({ format: Schema.optionalKey(ResponsesTextFormat) })),
  user: Schema.optionalKey(Schema.String),
  prompt_cache_key: Schema.optionalKey(Schema.String),
  metadata: Schema.optionalKey(Schema.Record(Schema.String, Schema.String))
})

/**
 * @since 0.1.0
 * @category models
 */
export type ResponsesRequest = typeof ResponsesRequest.Type

/**
 * Decodes an unknown value into a Responses request, strictly: unknown keys are errors and every
 * issue is reported.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeResponsesRequest = Schema.decodeUnknownEffect(ResponsesRequest, strictParseOptions)

/**
 * What xAI would refuse in a Responses request that is otherwise valid: more than 128 tools, two
 * tools with the same function name, `reasoning.effort` on a model that takes none, a
 * `tool_choice` naming a function that is not offered, `required` without tools, and empty
 * message content.
 *
 * @since 0.1.0
 * @category validation
 */
export const responsesRefusals = (request: ResponsesRequest): ReadonlyArray<Refusal> => {
  const found: Array<Refusal> = []
  const tools = request.tools ?? []
  if (tools.length > MAX_TOOLS) {
    found.push({ field: "tools", rule: `at most ${MAX_TOOLS} tools per request, got ${tools.length}` })
  }
  const names = new Set<string>()
  for (const tool of tools) {
    if (tool.type !== "function") continue
    if (names.has(tool.name)) found.push({ field: "tools", rule: `two functions are named ${tool.name}` })
    names.add(tool.name)
  }
  if (request.reasoning?.effort !== undefined && rejectsReasoningEffort(request.model)) {
    found.push({ field: "reasoning.effort", rule: `model ${request.model} accepts no reasoning effort; remove it` })
  }
  const choice = request.tool_choice
  if (typeof choice === "object" && !names.has(choice.name)) {
    found.push({ field: "tool_choice", rule: `the function '${choice.name}' is not among the request's tools` })
  }
  if (choice === "required" && tools.length === 0) {
    found.push({ field: "tool_choice", rule: "'required' needs at least one tool in tools" })
  }
  if (typeof request.input !== "string") {
    request.input.forEach((item, index) => {
      if (!("role" in item)) return
      if (item.content.length === 0) {
        found.push({
          field: `input[${index}].content`,
          rule: "must not be empty (xAI: each message must have at least one content element)"
        })
      }
    })
  }
  return found
}
