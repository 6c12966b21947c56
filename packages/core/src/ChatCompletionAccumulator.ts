/**
 * Folds the chunks of a streamed chat completion into the completion a non-streaming call would
 * have returned: text and reasoning joined, tool calls whole (xAI sends each whole; OpenAI-style
 * fragments are joined by index), finish reasons, the last usage, citations.
 *
 * @since 0.1.0
 */
import type { ChatCompletion, Choice, ResponseToolCall } from "./ChatCompletion.ts"
import type { ChatCompletionChunk } from "./ChatCompletionChunk.ts"
import type { Usage } from "./Usage.ts"

interface ToolCallState {
  id: string
  type: string
  name: string
  arguments: string
}

interface ChoiceState {
  role: string
  content: Array<string>
  reasoning: Array<string>
  refusal: Array<string>
  toolCalls: Array<ToolCallState>
  finishReason: string | null
}

/**
 * A mutable accumulator for one stream.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionAccumulator {
  /** Adds one chunk. */
  readonly push: (chunk: ChatCompletionChunk) => void
  /** The completion so far (whole once the stream ended). */
  readonly completion: () => ChatCompletion
  /** Whether any chunk arrived. */
  readonly isEmpty: () => boolean
  /** The last usage seen, if any. */
  readonly usage: () => Usage | undefined
}

const newChoice = (): ChoiceState => ({
  role: "assistant",
  content: [],
  reasoning: [],
  refusal: [],
  toolCalls: [],
  finishReason: null
})

/**
 * Creates an accumulator.
 *
 * @example
 * ```ts
 * const accumulator = ChatCompletionAccumulator.make()
 * for (const chunk of chunks) accumulator.push(chunk)
 * accumulator.completion().choices[0]?.message.content
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (): ChatCompletionAccumulator => {
  let id = ""
  let model = ""
  let created = 0
  let systemFingerprint: string | null = null
  let serviceTier: string | null = null
  let usage: Usage | undefined
  let citations: ReadonlyArray<string> | undefined
  let seen = false
  const choices: Array<ChoiceState | undefined> = []

  const push = (chunk: ChatCompletionChunk): void => {
    if (!seen) {
      id = chunk.id
      model = chunk.model
      created = chunk.created
      seen = true
    }
    if (chunk.system_fingerprint != null) systemFingerprint = chunk.system_fingerprint
    if (chunk.service_tier != null) serviceTier = chunk.service_tier
    if (chunk.usage != null) usage = chunk.usage
    if (chunk.citations != null) citations = chunk.citations
    for (const choice of chunk.choices) {
      const state = choices[choice.index] ??= newChoice()
      const delta = choice.delta
      if (delta.role != null) state.role = delta.role
      if (delta.content != null && delta.content !== "") state.content.push(delta.content)
      if (delta.reasoning_content != null && delta.reasoning_content !== "") {
        state.reasoning.push(delta.reasoning_content)
      }
      if (delta.refusal != null && delta.refusal !== "") state.refusal.push(delta.refusal)
      if (delta.tool_calls != null) {
        for (let position = 0; position < delta.tool_calls.length; position++) {
          const call = delta.tool_calls[position]!
          const name = call.function?.name
          const fragment = call.function?.arguments ?? ""
          const existing = call.index != null
            ? state.toolCalls[call.index]
            : call.id != null
            ? undefined
            : state.toolCalls[state.toolCalls.length - 1]
          if (existing !== undefined && (call.id == null || call.id === existing.id)) {
            if (name != null && existing.name === "") existing.name = name
            existing.arguments += fragment
          } else {
            const fresh: ToolCallState = {
              id: call.id ?? "",
              type: call.type ?? "function",
              name: name ?? "",
              arguments: fragment
            }
            if (call.index != null && state.toolCalls[call.index] === undefined) state.toolCalls[call.index] = fresh
            else state.toolCalls.push(fresh)
          }
        }
      }
      if (choice.finish_reason != null) state.finishReason = choice.finish_reason
    }
  }

  const completion = (): ChatCompletion => {
    const out: Array<Choice> = []
    choices.forEach((state, index) => {
      if (state === undefined) return
      const toolCalls: Array<ResponseToolCall> = []
      for (const call of state.toolCalls) {
        if (call !== undefined) {
          toolCalls.push({ id: call.id, type: call.type, function: { name: call.name, arguments: call.arguments } })
        }
      }
      out.push({
        index,
        message: {
          role: state.role,
          content: state.content.join(""),
          ...(state.reasoning.length > 0 ? { reasoning_content: state.reasoning.join("") } : {}),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          ...(state.refusal.length > 0 ? { refusal: state.refusal.join("") } : {})
        },
        finish_reason: state.finishReason
      })
    })
    return {
      id,
      object: "chat.completion",
      created,
      model,
      choices: out,
      ...(usage === undefined ? {} : { usage }),
      ...(systemFingerprint === null ? {} : { system_fingerprint: systemFingerprint }),
      ...(citations === undefined ? {} : { citations }),
      ...(serviceTier === null ? {} : { service_tier: serviceTier })
    }
  }

  return { push, completion, isEmpty: () => !seen, usage: () => usage }
}
