/**
 * What xAI documents about each model family, so a request it would refuse is refused before it
 * is sent: reasoning models take no `presence_penalty`, `frequency_penalty` or `stop`; the
 * grok-4.20 models take no `reasoning_effort`; at most 128 tools; no empty content; `name` only on
 * user messages; and no `search_parameters` (Live Search answers 410).
 *
 * @since 0.1.0
 */
import type { ChatCompletionRequest } from "./ChatCompletionRequest.ts"
import type { ChatMessage } from "./ChatMessage.ts"

/**
 * The most tools one request may offer (xAI's OpenAPI `maxItems`).
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_TOOLS = 128

/**
 * Whether a model id names a reasoning model. Non-reasoning variants say so in their id
 * (`grok-4.20-0309-non-reasoning`); `grok-3` and `grok-2` are not reasoning models; every other
 * current Grok model (grok-3-mini, grok-4, grok-4.x, grok-build) reasons.
 *
 * @example
 * ```ts
 * isReasoningModel("grok-4.3") // => true
 * isReasoningModel("grok-4.20-0309-non-reasoning") // => false
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isReasoningModel = (model: string): boolean => {
  const id = model.toLowerCase()
  if (id.includes("non-reasoning")) return false
  if (/^grok-(2|3)(-|$)/.test(id) && !id.startsWith("grok-3-mini")) return false
  return id.startsWith("grok-")
}

/**
 * Whether a model refuses every `reasoning_effort` value (the grok-4.20 reasoning and
 * non-reasoning variants do; the multi-agent one does not).
 *
 * @since 0.1.0
 * @category predicates
 */
export const rejectsReasoningEffort = (model: string): boolean => {
  const id = model.toLowerCase()
  return id.startsWith("grok-4.20") && !id.includes("multi-agent")
}

/**
 * One thing a model or the API refuses: the field, and the rule.
 *
 * @since 0.1.0
 * @category models
 */
export interface Refusal {
  readonly field: string
  readonly rule: string
}

const isEmptyContent = (message: ChatMessage): boolean => {
  if (message.role === "assistant") {
    const hasToolCalls = message.tool_calls !== undefined && message.tool_calls.length > 0
    if (hasToolCalls) return false
    return message.content == null || message.content.length === 0
  }
  return message.content.length === 0
}

/**
 * What xAI would refuse in a request that is otherwise valid, in the order found. Empty when the
 * request can be sent.
 *
 * @since 0.1.0
 * @category validation
 */
export const refusals = (request: ChatCompletionRequest): ReadonlyArray<Refusal> => {
  const found: Array<Refusal> = []
  if (request.search_parameters !== undefined) {
    found.push({ field: "search_parameters", rule: "Live Search was removed by xAI (HTTP 410)" })
  }
  if (isReasoningModel(request.model)) {
    for (const field of ["presence_penalty", "frequency_penalty", "stop"] as const) {
      if (request[field] !== undefined) {
        found.push({ field, rule: `reasoning model ${request.model} does not accept ${field}; remove it` })
      }
    }
  }
  if (request.reasoning_effort !== undefined && rejectsReasoningEffort(request.model)) {
    found.push({ field: "reasoning_effort", rule: `model ${request.model} accepts no reasoning_effort; remove it` })
  }
  if (request.tools !== undefined && request.tools.length > MAX_TOOLS) {
    found.push({ field: "tools", rule: `at most ${MAX_TOOLS} tools per request, got ${request.tools.length}` })
  }
  request.messages.forEach((message, index) => {
    if (isEmptyContent(message)) {
      found.push({
        field: `messages[${index}].content`,
        rule: "must not be empty (xAI: each message must have at least one content element)"
      })
    }
    if (message.role !== "user" && "name" in message && message.name !== undefined) {
      found.push({ field: `messages[${index}].name`, rule: "xAI accepts a name only on user messages" })
    }
  })
  return found
}
