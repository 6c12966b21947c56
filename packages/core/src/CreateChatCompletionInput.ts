/**
 * The input of the seed's MCP tool `create_chat_completion`, exactly as the seed describes it
 * (`shared/seed/create_chat_completion.input.schema.json`), and the one function that maps it to
 * the wire request.
 *
 * The seed differs from the wire in a few places, and `toChatCompletionRequest` settles each one:
 * - image parts say `"type": "image"`; the wire says `"image_url"` (mapped);
 * - `max_tokens` is deprecated on xAI, which reads `max_completion_tokens` (mapped);
 * - `stop` may be one string; the wire takes an array (mapped);
 * - `tools[].type` is any string; the wire only knows `"function"` (others refused);
 * - `name` is allowed on every role; xAI refuses it except on user messages (refused);
 * - tool messages cannot carry `tool_call_id`, which xAI needs (refused, with what to use instead);
 * - `search_parameters` (Live Search) answers HTTP 410 on xAI; it never reaches the wire (refused
 *   here with `LiveSearchRemoved`; the search planner turns it into server-side tools).
 *
 * @since 0.1.0
 */
import { Effect, JsonSchema, Schema } from "effect"
import { ChatCompletionRequest } from "./ChatCompletionRequest.ts"
import type { ChatMessage, ContentPart } from "./ChatMessage.ts"
import { GrokError, LiveSearchRemoved } from "./GrokError.ts"
import { SearchParameters } from "./SearchParameters.ts"
import * as ValidationIssue from "./ValidationIssue.ts"
import { NumberBetween, PositiveInteger, strictParseOptions } from "./WireSchema.ts"

const SeedTextPart = Schema.Struct({
  type: Schema.Literal("text"),
  text: Schema.String
})

const SeedImagePart = Schema.Struct({
  type: Schema.Literal("image"),
  image_url: Schema.Struct({
    url: Schema.String,
    detail: Schema.optionalKey(Schema.Literals(["low", "high", "auto"]))
  })
})

const SeedMessage = Schema.Struct({
  role: Schema.Literals(["system", "user", "assistant", "tool"]),
  content: Schema.Union([Schema.String, Schema.Array(Schema.Union([SeedTextPart, SeedImagePart]))]),
  name: Schema.optionalKey(Schema.String)
})

const SeedTool = Schema.Struct({
  type: Schema.String,
  function: Schema.Struct({
    name: Schema.String,
    description: Schema.optionalKey(Schema.String),
    parameters: Schema.optionalKey(Schema.Struct({
      type: Schema.Literal("object"),
      properties: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
      required: Schema.optionalKey(Schema.Array(Schema.String))
    }))
  })
})

const SeedToolChoice = Schema.Union([
  Schema.Literal("auto"),
  Schema.Literal("none"),
  Schema.Struct({
    type: Schema.Literal("function"),
    function: Schema.Struct({
      name: Schema.String.annotate({ description: "Force the model to call the specified function" })
    })
  })
])

/**
 * The seed tool's input.
 *
 * @example
 * ```ts
 * import { CreateChatCompletionInput } from "@grokit/core"
 * import { Schema } from "effect"
 *
 * Schema.decodeUnknownSync(CreateChatCompletionInput)({
 *   model: "grok-4.3",
 *   messages: [{ role: "user", content: "Hi" }],
 *   temperature: 0.2
 * })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateChatCompletionInput = Schema.Struct({
  frequency_penalty: Schema.optionalKey(
    NumberBetween(-2, 2).annotate({ description: "Penalty for new tokens based on frequency in text (-2 to 2)" })
  ),
  logit_bias: Schema.optionalKey(
    Schema.Record(Schema.String, Schema.Finite).annotate({
      description: "Map of token IDs to bias scores (-100 to 100) that influence generation"
    })
  ),
  max_tokens: Schema.optionalKey(PositiveInteger.annotate({ description: "Maximum number of tokens to generate" })),
  messages: Schema.Array(SeedMessage).annotate({ description: "Messages to generate chat completions for" }),
  model: Schema.String.annotate({ description: "ID of the model to use" }),
  n: Schema.optionalKey(PositiveInteger.annotate({ description: "Number of chat completion choices to generate" })),
  presence_penalty: Schema.optionalKey(
    NumberBetween(-2, 2).annotate({ description: "Penalty for new tokens based on presence in text (-2 to 2)" })
  ),
  response_format: Schema.optionalKey(
    Schema.Struct({ type: Schema.Literals(["text", "json_object"]) }).annotate({
      description: "Specify 'json_object' to receive JSON response or 'text' for raw text"
    })
  ),
  search_parameters: Schema.optionalKey(SearchParameters),
  seed: Schema.optionalKey(
    Schema.Int.annotate({ description: "If specified, results will be more deterministic when the same seed is used" })
  ),
  stop: Schema.optionalKey(
    Schema.Union([Schema.String, Schema.Array(Schema.String)]).annotate({
      description: "Sequences where the API will stop generating further tokens"
    })
  ),
  stream: Schema.optionalKey(Schema.Boolean.annotate({ description: "If set, partial message deltas will be sent" })),
  temperature: Schema.optionalKey(NumberBetween(0, 2).annotate({ description: "Sampling temperature (0-2)" })),
  tool_choice: Schema.optionalKey(
    SeedToolChoice.annotate({ description: "Controls which (if any) tool is called by the model" })
  ),
  tools: Schema.optionalKey(Schema.Array(SeedTool).annotate({ description: "List of tools the model may call" })),
  top_p: Schema.optionalKey(NumberBetween(0, 1).annotate({ description: "Nucleus sampling parameter (0-1)" })),
  user: Schema.optionalKey(Schema.String.annotate({ description: "A unique user identifier" }))
})

/**
 * @since 0.1.0
 * @category models
 */
export type CreateChatCompletionInput = typeof CreateChatCompletionInput.Type

/**
 * Decodes the seed tool's input strictly (unknown keys refused, every issue reported).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeCreateChatCompletionInput = (input: unknown): Effect.Effect<CreateChatCompletionInput, GrokError> =>
  Schema.decodeUnknownEffect(CreateChatCompletionInput, strictParseOptions)(input).pipe(
    Effect.mapError((error) => GrokError.invalidRequest("createChatCompletion", ValidationIssue.fromSchemaError(error)))
  )

const MAX_SAFE = Number.MAX_SAFE_INTEGER

const inSeedSpelling = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(inSeedSpelling)
  if (typeof node !== "object" || node === null) return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if ((key === "maximum" && value === MAX_SAFE) || (key === "minimum" && value === -MAX_SAFE)) continue
    if (key === "enum" && Array.isArray(value) && value.length === 1) out.const = value[0]
    else out[key] = inSeedSpelling(value)
  }
  return out
}

/**
 * The seed tool's input as a draft-07 JSON Schema, as an MCP server lists it, spelled as the
 * seed spells it: a one-value `enum` is written `const`, and the safe-integer bounds (±2^53-1)
 * that Effect adds to every integer are left out, as the seed has none.
 *
 * @since 0.1.0
 * @category json schema
 */
export const createChatCompletionInputJsonSchema = (): Record<string, unknown> => {
  const document = JsonSchema.toDocumentDraft07(
    Schema.toJsonSchemaDocument(CreateChatCompletionInput, { onExcessProperty: "error" })
  )
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    ...(inSeedSpelling(document.schema) as Record<string, unknown>)
  }
}

type SeedPart = typeof SeedTextPart.Type | typeof SeedImagePart.Type

const toWirePart = (part: SeedPart): ContentPart =>
  part.type === "image" ? { type: "image_url", image_url: part.image_url } : part

const toWireMessage = (
  message: CreateChatCompletionInput["messages"][number],
  index: number,
  issues: Array<ValidationIssue.ValidationIssue>
): ChatMessage | undefined => {
  const content = typeof message.content === "string" ? message.content : message.content.map(toWirePart)
  if (message.name !== undefined && message.role !== "user") {
    issues.push({
      path: ["messages", index, "name"],
      message: `xAI accepts a name only on user messages, not on a ${message.role} message; remove it`
    })
  }
  switch (message.role) {
    case "user":
      return message.name === undefined ? { role: "user", content } : { role: "user", content, name: message.name }
    case "system":
      return { role: "system", content }
    case "assistant":
      return { role: "assistant", content }
    case "tool":
      issues.push({
        path: ["messages", index],
        message: "a tool message needs the tool_call_id of the call it answers, which the seed's input cannot carry; " +
          "send the wire request (ChatCompletionRequest, with tool_call_id) instead"
      })
      return undefined
  }
}

/**
 * Maps a seed input to the wire request, or fails with a `GrokError` that says what to change.
 *
 * `search_parameters` fails with reason `LiveSearchRemoved` (xAI would answer 410); plan it with
 * `SearchPlan.fromSearchParameters` of `@grokit/search`, which turns it into `web_search` /
 * `x_search` tools and local adapters (with typed warnings), and run it with `SearchAgent.run`.
 *
 * @example
 * ```ts
 * import { toChatCompletionRequest } from "@grokit/core"
 *
 * toChatCompletionRequest({
 *   model: "grok-4.3",
 *   messages: [{ role: "user", content: [{ type: "image", image_url: { url: "https://example.com/a.png" } }] }],
 *   max_tokens: 100
 * })
 * // => Effect succeeding with image_url parts and max_completion_tokens: 100
 * ```
 *
 * @since 0.1.0
 * @category conversions
 */
export const toChatCompletionRequest = (
  input: CreateChatCompletionInput
): Effect.Effect<ChatCompletionRequest, GrokError> =>
  Effect.suspend(() => {
    if (input.search_parameters !== undefined) {
      return Effect.fail(new GrokError({ method: "createChatCompletion", reason: new LiveSearchRemoved({}) }))
    }
    const issues: Array<ValidationIssue.ValidationIssue> = []
    const messages: Array<ChatMessage> = []
    input.messages.forEach((message, index) => {
      const wire = toWireMessage(message, index, issues)
      if (wire !== undefined) messages.push(wire)
    })
    input.tools?.forEach((tool, index) => {
      if (tool.type !== "function") {
        issues.push({
          path: ["tools", index, "type"],
          message: `expected "function", got ${JSON.stringify(tool.type)}: xAI's chat completions only take function ` +
            `tools${tool.type === "live_search" ? " (live_search was removed with Live Search)" : ""}`
        })
      }
    })
    if (issues.length > 0) return Effect.fail(GrokError.invalidRequest("createChatCompletion", issues))
    const { max_tokens, stop, tools, messages: _messages, search_parameters: _search, ...rest } = input
    const request: ChatCompletionRequest = {
      ...rest,
      messages,
      ...(max_tokens === undefined ? {} : { max_completion_tokens: max_tokens }),
      ...(stop === undefined ? {} : { stop: typeof stop === "string" ? [stop] : stop }),
      ...(tools === undefined ? {} : {
        tools: tools.map((tool) => ({ type: "function" as const, function: tool.function }))
      })
    }
    return Schema.decodeUnknownEffect(ChatCompletionRequest, strictParseOptions)(request).pipe(
      Effect.mapError((error) =>
        GrokError.invalidRequest("createChatCompletion", ValidationIssue.fromSchemaError(error))
      )
    )
  })
