/**
 * The mock's model: a deterministic policy that answers any valid request without a script.
 * The same request always gets the same answer.
 *
 * 1. **Tool calls.** When the request offers `tools` and `tool_choice` is not `"none"`:
 *    - `tool_choice: {type: "function", function: {name}}` calls that tool;
 *    - `tool_choice: "required"` calls the best matching tool, or the first tool if none matches;
 *    - otherwise, when the LAST message is a user message that names tools, every matching tool
 *      is called, in the order of `tools`, all in one message (one stream chunk); only the first
 *      when `parallel_tool_calls` is `false`.
 *
 *    A user message names a tool when it contains the tool's name as a word (case-insensitive;
 *    `get_weather` also matches "get weather"), or any word of 4 or more letters from the tool's
 *    description (common words such as "with", "from", "this", "that", "returns" excepted).
 *    The best match is the one that names the tool, then the one with most description words.
 * 2. **Structured output.** With `response_format` `json_schema`, the answer is JSON text built
 *    from the schema (see arguments below, every property included); with `json_object`, it is
 *    `{"answer": "You said: ..."}`.
 * 3. **After tool results.** When the last message is a tool message, the answer is
 *    `Based on the tool results: <tool name>: <content>; <tool name>: <content>` over the trailing
 *    tool messages (names found through the assistant's `tool_calls`).
 * 4. **Otherwise** it echoes: `You said: <text of the last user message>`.
 *
 * **Arguments** are built from the tool's JSON Schema `parameters`. For each property, in order:
 * a value written after the property name in the last user message (`city Paris`, `city: Paris`,
 * `city=Paris`, `city is "San Francisco"`; a capitalized value runs over the following capitalized
 * words; numbers for `number`/`integer`, `true`/`false`/`yes`/`no` for `boolean`); else for an
 * `enum` the value after the name if it is allowed, else an allowed value written anywhere in
 * the message, else the first one; else `const`, else `default`; else a type default: string =
 * the last run of capitalized words of the message that do not start a sentence ("San
 * Francisco"; else `"example"`),
 * number/integer = 1 (moved into `minimum`/`maximum`), boolean = `true`, array = `[]` (or one
 * item when `minItems` > 0), object = built recursively, null = `null`. Optional properties are
 * included only when the message gives their value; required ones always. Local `$ref`s
 * (`#/$defs/...`, `#/definitions/...`), `anyOf`/`oneOf` (first non-null branch) and type
 * arrays (first non-null type) are followed.
 *
 * Models that show their reasoning (grok-3-mini) also get a short `reasoning_content`.
 *
 * @since 0.1.0
 */
import type { ChatCompletionRequest, ChatMessage, ChatTool, MessageContent } from "@grokit/core"
import * as MockModels from "./MockModels.ts"
import type * as MockScript from "./MockScript.ts"

/**
 * What the policy answers: a text, or tool calls.
 *
 * @since 0.1.0
 * @category models
 */
export type Answer = MockScript.Text | MockScript.ToolCalls

/**
 * The text of a message content: the string, or its text parts joined.
 *
 * @since 0.1.0
 * @category accessors
 */
export const contentText = (content: MessageContent | null | undefined): string => {
  if (content == null) return ""
  if (typeof content === "string") return content
  let out = ""
  for (const part of content) {
    if (part.type === "text") out += out === "" ? part.text : ` ${part.text}`
  }
  return out
}

const STOP_WORDS = new Set([
  "about",
  "after",
  "also",
  "been",
  "before",
  "call",
  "calls",
  "does",
  "each",
  "from",
  "function",
  "given",
  "have",
  "into",
  "just",
  "like",
  "make",
  "more",
  "most",
  "only",
  "over",
  "result",
  "results",
  "return",
  "returns",
  "some",
  "such",
  "than",
  "that",
  "their",
  "them",
  "then",
  "there",
  "they",
  "this",
  "tool",
  "used",
  "uses",
  "using",
  "value",
  "values",
  "what",
  "when",
  "which",
  "will",
  "with",
  "your"
])

const wordsOf = (text: string): Array<string> => text.toLowerCase().match(/[a-z0-9]+/g) ?? []

const isWordCharacter = (character: string | undefined): boolean =>
  character !== undefined && /[a-z0-9_]/i.test(character)

/** Finds `needle` (lower case) in `haystack` (lower case) as a whole word; the index after it, or -1. */
const findWord = (haystack: string, needle: string, from = 0): number => {
  if (needle === "") return -1
  let index = haystack.indexOf(needle, from)
  while (index !== -1) {
    if (!isWordCharacter(haystack[index - 1]) && !isWordCharacter(haystack[index + needle.length])) {
      return index + needle.length
    }
    index = haystack.indexOf(needle, index + 1)
  }
  return -1
}

const nameVariants = (name: string): ReadonlyArray<string> => {
  const lower = name.toLowerCase()
  const spaced = lower.replace(/[_\-.]+/g, " ").trim()
  return spaced === lower ? [lower] : [lower, spaced]
}

/**
 * How well a user message names a tool: 0 when it does not; 100 and more when it says the tool's
 * name; otherwise the number of distinct description words (4+ letters, not common) it contains.
 *
 * @since 0.1.0
 * @category matching
 */
export const toolScore = (tool: ChatTool, message: string): number => {
  const lower = message.toLowerCase()
  let score = 0
  for (const variant of nameVariants(tool.function.name)) {
    if (findWord(lower, variant) !== -1) {
      score = 100
      break
    }
  }
  const description = tool.function.description
  if (description !== undefined) {
    const messageWords = new Set(wordsOf(lower))
    const counted = new Set<string>()
    for (const word of wordsOf(description)) {
      if (word.length >= 4 && !STOP_WORDS.has(word) && !counted.has(word) && messageWords.has(word)) {
        counted.add(word)
        score += 1
      }
    }
  }
  return score
}

/**
 * The tools a user message names, in the order of `tools`.
 *
 * @since 0.1.0
 * @category matching
 */
export const matchingTools = (tools: ReadonlyArray<ChatTool>, message: string): ReadonlyArray<ChatTool> =>
  tools.filter((tool) => toolScore(tool, message) > 0)

/**
 * The tool a user message names best (most score, first on ties), or the first tool.
 *
 * @since 0.1.0
 * @category matching
 */
export const bestTool = (tools: ReadonlyArray<ChatTool>, message: string): ChatTool | undefined => {
  let best: ChatTool | undefined = tools[0]
  let bestScore = 0
  for (const tool of tools) {
    const score = toolScore(tool, message)
    if (score > bestScore) {
      best = tool
      bestScore = score
    }
  }
  return best
}

// ---------------------------------------------------------------------------------------------
// Values from JSON Schemas
// ---------------------------------------------------------------------------------------------

type JsonSchema = { readonly [key: string]: unknown }

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const MAXIMUM_DEPTH = 8

interface BuildContext {
  readonly root: JsonSchema
  readonly message: string
  readonly lowerMessage: string
  readonly includeOptional: boolean
}

const resolveReference = (schema: JsonSchema, context: BuildContext, depth: number): JsonSchema => {
  let current = schema
  for (let hops = 0; hops < MAXIMUM_DEPTH && typeof current["$ref"] === "string"; hops++) {
    const reference = current["$ref"] as string
    if (!reference.startsWith("#/")) return {}
    let target: unknown = context.root
    for (const segment of reference.slice(2).split("/")) {
      const key = segment.replace(/~1/g, "/").replace(/~0/g, "~")
      target = isObject(target) ? target[key] : undefined
    }
    if (!isObject(target)) return {}
    current = target
  }
  for (const combinator of ["anyOf", "oneOf"] as const) {
    const branches = current[combinator]
    if (Array.isArray(branches) && depth < MAXIMUM_DEPTH) {
      const branch = branches.find((entry) => isObject(entry) && entry["type"] !== "null")
      if (isObject(branch)) return resolveReference(branch, context, depth + 1)
    }
  }
  const allOf = current["allOf"]
  if (Array.isArray(allOf) && allOf.length > 0 && isObject(allOf[0]) && current["type"] === undefined) {
    return resolveReference(allOf[0], context, depth + 1)
  }
  return current
}

const typeOf = (schema: JsonSchema): string | undefined => {
  const type = schema["type"]
  if (typeof type === "string") return type
  if (Array.isArray(type)) {
    const first = type.find((entry) => entry !== "null")
    return typeof first === "string" ? first : typeof type[0] === "string" ? type[0] : undefined
  }
  if (isObject(schema["properties"])) return "object"
  if (Array.isArray(schema["enum"]) && schema["enum"].length > 0) return typeof schema["enum"][0]
  return undefined
}

const capitalizedRun = /^[A-Z][^\s,;!?"]*(?:\s+[A-Z][^\s,;!?"]*)*/

const trimPunctuation = (text: string): string => text.replace(/[.,;:!?)\]}]+$/, "")

/** The raw text written after a property name in the message, if any. */
const writtenValue = (key: string, context: BuildContext): string | undefined => {
  for (const variant of nameVariants(key)) {
    let from = 0
    for (;;) {
      const end = findWord(context.lowerMessage, variant, from)
      if (end === -1) break
      from = end
      const rest = context.message.slice(end)
      const separator = /^\s*(?:[:=]|is\b)?\s*/.exec(rest)
      const afterSeparator = rest.slice(separator === null ? 0 : separator[0].length)
      const quoted = /^"([^"]*)"|^'([^']*)'/.exec(afterSeparator)
      if (quoted !== null) return quoted[1] ?? quoted[2] ?? ""
      const capitalized = capitalizedRun.exec(afterSeparator)
      if (capitalized !== null) return trimPunctuation(capitalized[0])
      const token = /^[^\s,;!?"]+/.exec(afterSeparator)
      if (token !== null) {
        const value = trimPunctuation(token[0])
        if (value !== "") return value
      }
    }
  }
  return undefined
}

const fallbackString = (context: BuildContext): string => {
  const words = context.message.match(/\S+/g) ?? []
  const isName = (index: number): boolean =>
    index > 0 && /^["'(]*[A-Z]/.test(words[index]!) && !/[.!?:]["')]*$/.test(words[index - 1]!)
  for (let end = words.length - 1; end > 0; end--) {
    if (!isName(end)) continue
    let first = end
    while (isName(first - 1) && !/[,;]$/.test(words[first - 1]!)) first--
    return trimPunctuation(words.slice(first, end + 1).join(" ").replace(/^["'(]+/, ""))
  }
  return "example"
}

const clampNumber = (value: number, schema: JsonSchema, integer: boolean): number => {
  let result = value
  const minimum = schema["minimum"]
  const maximum = schema["maximum"]
  const exclusiveMinimum = schema["exclusiveMinimum"]
  const exclusiveMaximum = schema["exclusiveMaximum"]
  if (typeof minimum === "number" && result < minimum) result = integer ? Math.ceil(minimum) : minimum
  if (typeof exclusiveMinimum === "number" && result <= exclusiveMinimum) {
    result = integer ? Math.floor(exclusiveMinimum) + 1 : exclusiveMinimum + 1
  }
  if (typeof maximum === "number" && result > maximum) result = integer ? Math.floor(maximum) : maximum
  if (typeof exclusiveMaximum === "number" && result >= exclusiveMaximum) {
    result = integer ? Math.ceil(exclusiveMaximum) - 1 : exclusiveMaximum - 1
  }
  return result
}

const fromWritten = (written: string, schema: JsonSchema, type: string | undefined): unknown => {
  const enumValues = schema["enum"]
  if (Array.isArray(enumValues)) {
    return enumValues.find((entry) => String(entry).toLowerCase() === written.toLowerCase())
  }
  switch (type) {
    case "number":
    case "integer": {
      const match = /^-?\d+(?:\.\d+)?/.exec(written)
      if (match === null) return undefined
      const parsed = type === "integer" ? Math.trunc(Number(match[0])) : Number(match[0])
      return clampNumber(parsed, schema, type === "integer")
    }
    case "boolean": {
      const lower = written.toLowerCase()
      if (lower === "true" || lower === "yes" || lower === "on") return true
      if (lower === "false" || lower === "no" || lower === "off") return false
      return undefined
    }
    case "string":
    case undefined:
      return written
    default:
      return undefined
  }
}

const defaultValue = (schema: JsonSchema, context: BuildContext, depth: number): unknown => {
  const enumValues = schema["enum"]
  if (Array.isArray(enumValues) && enumValues.length > 0) {
    for (const entry of enumValues) {
      if (typeof entry === "string" && findWord(context.lowerMessage, entry.toLowerCase()) !== -1) return entry
    }
    return enumValues[0]
  }
  if ("const" in schema) return schema["const"]
  if ("default" in schema) return schema["default"]
  const type = typeOf(schema)
  switch (type) {
    case "string":
      return fallbackString(context)
    case "number":
      return clampNumber(1, schema, false)
    case "integer":
      return clampNumber(1, schema, true)
    case "boolean":
      return true
    case "null":
      return null
    case "array": {
      const minimum = schema["minItems"]
      const items = schema["items"]
      if (typeof minimum !== "number" || minimum <= 0 || depth >= MAXIMUM_DEPTH) return []
      const item = isObject(items) ? valueFor(items, context, depth + 1) : "example"
      return Array.from({ length: minimum }, () => item)
    }
    case "object":
      return depth >= MAXIMUM_DEPTH ? {} : objectFor(schema, context, depth + 1)
    default:
      return fallbackString(context)
  }
}

const valueFor = (rawSchema: JsonSchema, context: BuildContext, depth: number): unknown => {
  const schema = resolveReference(rawSchema, context, depth)
  return defaultValue(schema, context, depth)
}

const objectFor = (rawSchema: JsonSchema, context: BuildContext, depth: number): { [key: string]: unknown } => {
  const schema = resolveReference(rawSchema, context, depth)
  const properties = isObject(schema["properties"]) ? schema["properties"] : {}
  const required = new Set(Array.isArray(schema["required"]) ? schema["required"].map(String) : [])
  const out: { [key: string]: unknown } = {}
  for (const [key, rawProperty] of Object.entries(properties)) {
    const property = isObject(rawProperty) ? resolveReference(rawProperty, context, depth) : {}
    const type = typeOf(property)
    const written = type === "object" || type === "array" ? undefined : writtenValue(key, context)
    const value = written === undefined ? undefined : fromWritten(written, property, type)
    if (value !== undefined) out[key] = value
    else if (required.has(key) || context.includeOptional) out[key] = defaultValue(property, context, depth)
  }
  for (const key of required) {
    if (!(key in out)) out[key] = fallbackString(context)
  }
  return out
}

/**
 * A value that satisfies a JSON Schema, built from a message as described in the module
 * documentation. `includeOptional` also fills optional properties without a written value.
 *
 * @example
 * ```ts
 * import { MockPolicy } from "@grokit/mock"
 *
 * MockPolicy.valueFromSchema(
 *   { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } }, required: ["city"] },
 *   "Weather for city: San Francisco, days=3"
 * )
 * // => { city: "San Francisco", days: 3 }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const valueFromSchema = (
  schema: { readonly [key: string]: unknown },
  message: string,
  options?: { readonly includeOptional?: boolean | undefined }
): unknown => {
  const context: BuildContext = {
    root: schema,
    message,
    lowerMessage: message.toLowerCase(),
    includeOptional: options?.includeOptional ?? false
  }
  const resolved = resolveReference(schema, context, 0)
  return typeOf(resolved) === "object" ? objectFor(resolved, context, 0) : defaultValue(resolved, context, 0)
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

const lastUserText = (messages: ReadonlyArray<ChatMessage>): string | undefined => {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!
    if (message.role === "user") return contentText(message.content)
  }
  return undefined
}

const toolResultsText = (messages: ReadonlyArray<ChatMessage>): string => {
  let first = messages.length
  while (first > 0 && messages[first - 1]!.role === "tool") first--
  const names = new Map<string, string>()
  for (let index = 0; index < first; index++) {
    const message = messages[index]!
    if (message.role === "assistant" && message.tool_calls !== undefined) {
      for (const call of message.tool_calls) names.set(call.id, call.function.name)
    }
  }
  const parts: Array<string> = []
  for (let index = first; index < messages.length; index++) {
    const message = messages[index]!
    if (message.role === "tool") {
      parts.push(`${names.get(message.tool_call_id) ?? message.tool_call_id}: ${contentText(message.content)}`)
    }
  }
  return `Based on the tool results: ${parts.join("; ")}`
}

const echo = (userText: string | undefined): string =>
  userText === undefined ? "Hello! This is the grokit mock, not Grok." : `You said: ${userText}`

const reasoningFor = (request: ChatCompletionRequest, what: string): string | undefined =>
  MockModels.showsReasoning(request.model) ? `The user wrote a message. ${what}` : undefined

const callTools = (request: ChatCompletionRequest, tools: ReadonlyArray<ChatTool>, userText: string): Answer => {
  const calls = tools.map((tool) => ({
    name: tool.function.name,
    arguments: valueFromSchema(tool.function.parameters ?? { type: "object" }, userText) as {
      readonly [key: string]: unknown
    }
  }))
  const names = calls.map((call) => call.name).join(" and ")
  return {
    _tag: "ToolCalls",
    calls,
    content: undefined,
    reasoningContent: reasoningFor(request, `I will call ${names}.`)
  }
}

const text = (request: ChatCompletionRequest, content: string): Answer => ({
  _tag: "Text",
  content,
  reasoningContent: reasoningFor(request, "I will answer it."),
  finishReason: "stop"
})

/**
 * The policy's answer to a valid request, as described in the module documentation.
 *
 * @example
 * ```ts
 * import { MockPolicy } from "@grokit/mock"
 *
 * MockPolicy.answer({ model: "grok-4.3", messages: [{ role: "user", content: "Hi" }] })
 * // => { _tag: "Text", content: "You said: Hi", reasoningContent: undefined, finishReason: "stop" }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const answer = (request: ChatCompletionRequest): Answer => {
  const messages = request.messages
  const last = messages[messages.length - 1]
  const userText = lastUserText(messages)
  const tools = request.tools ?? []
  const choice = request.tool_choice
  if (tools.length > 0 && choice !== "none") {
    if (typeof choice === "object") {
      const named = tools.find((tool) => tool.function.name === choice.function.name)
      if (named !== undefined) return callTools(request, [named], userText ?? "")
    } else if (choice === "required") {
      const best = bestTool(tools, last?.role === "user" ? userText ?? "" : "")
      if (best !== undefined) return callTools(request, [best], userText ?? "")
    } else if (last?.role === "user") {
      const message = contentText(last.content)
      const matching = matchingTools(tools, message)
      if (matching.length > 0) {
        return callTools(request, request.parallel_tool_calls === false ? matching.slice(0, 1) : matching, message)
      }
    }
  }
  const format = request.response_format
  if (format !== undefined && format.type !== "text") {
    const basis = last?.role === "tool" ? toolResultsText(messages) : echo(userText)
    if (format.type === "json_schema" && format.json_schema.schema !== undefined) {
      const source = userText ?? basis
      return text(
        request,
        JSON.stringify(valueFromSchema(format.json_schema.schema, source, { includeOptional: true }))
      )
    }
    return text(request, JSON.stringify({ answer: basis }))
  }
  if (last?.role === "tool") return text(request, toolResultsText(messages))
  return text(request, echo(userText))
}
