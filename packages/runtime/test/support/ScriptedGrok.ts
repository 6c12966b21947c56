/**
 * A fake GrokClient for unit tests of the loop: answers each request with the next scripted
 * completion, records every request (and the call options it came with), and checks each one with the transcript rule of the wire
 * (every assistant tool call answered by exactly one tool message before the next assistant or
 * user turn; ids unique).
 */
import {
  type CallOptions,
  type ChatCompletion,
  type ChatCompletionRequest,
  GrokClient,
  GrokError,
  type GrokErrorReason
} from "@grokit/core"
import { Effect, Layer, Stream } from "effect"

export type ScriptEntry =
  | { readonly text: string; readonly reasoning?: string }
  | { readonly toolCalls: ReadonlyArray<{ readonly name: string; readonly arguments: string; readonly id?: string }> }
  | { readonly error: GrokErrorReason }
  | { readonly hang: true }

export const completion = (entry: ScriptEntry, index: number): ChatCompletion => {
  if ("text" in entry) {
    return {
      id: `completion-${index}`,
      object: "chat.completion",
      created: 1,
      model: "grok-4.3",
      choices: [{
        index: 0,
        message: {
          role: "assistant",
          content: entry.text,
          ...(entry.reasoning === undefined ? {} : { reasoning_content: entry.reasoning })
        },
        finish_reason: "stop"
      }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, cost_in_usd_ticks: 1_000_000 }
    }
  }
  if ("toolCalls" in entry) {
    return {
      id: `completion-${index}`,
      object: "chat.completion",
      created: 1,
      model: "grok-4.3",
      choices: [{
        index: 0,
        message: {
          role: "assistant",
          content: "",
          tool_calls: entry.toolCalls.map((call, position) => ({
            id: call.id ?? `call_${index}_${position}`,
            type: "function",
            function: { name: call.name, arguments: call.arguments }
          }))
        },
        finish_reason: "tool_calls"
      }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, cost_in_usd_ticks: 1_000_000 }
    }
  }
  throw new Error("not a completion entry")
}

/** The wire rule every outgoing request must satisfy; returns the problems found. */
export const transcriptProblems = (request: ChatCompletionRequest): Array<string> => {
  const problems: Array<string> = []
  const ids = new Set<string>()
  let open: Array<string> = []
  request.messages.forEach((message, index) => {
    if (message.role === "tool") {
      const position = open.indexOf(message.tool_call_id)
      if (position === -1) problems.push(`messages[${index}] answers ${message.tool_call_id}, which is not open`)
      else open.splice(position, 1)
      return
    }
    if (open.length > 0) problems.push(`messages[${index}] comes while ${open.join(", ")} are unanswered`)
    open = []
    if (message.role === "assistant") {
      for (const call of message.tool_calls ?? []) {
        if (call.id === "") problems.push(`messages[${index}] has an empty tool call id`)
        if (ids.has(call.id)) problems.push(`messages[${index}] repeats tool call id ${call.id}`)
        ids.add(call.id)
        open.push(call.id)
      }
    }
  })
  if (open.length > 0) problems.push(`the request ends with ${open.join(", ")} unanswered`)
  return problems
}

export const make = (script: ReadonlyArray<ScriptEntry>) => {
  const requests: Array<ChatCompletionRequest> = []
  const callOptions: Array<CallOptions | undefined> = []
  const problems: Array<string> = []
  const counts = { successes: 0 }
  let next = 0
  const answer = (request: ChatCompletionRequest, options?: CallOptions): Effect.Effect<ChatCompletion, GrokError> =>
    Effect.suspend(() => {
      requests.push(request)
      callOptions.push(options)
      problems.push(...transcriptProblems(request))
      const index = next++
      const entry = script[index] ?? { text: "(script exhausted)" }
      if ("error" in entry) return Effect.fail(new GrokError({ method: "createChatCompletion", reason: entry.error }))
      if ("hang" in entry) return Effect.never
      counts.successes++
      return Effect.succeed(completion(entry, index))
    })
  const layer = Layer.succeed(
    GrokClient,
    GrokClient.of({
      baseUrl: "scripted://",
      createChatCompletion: answer,
      streamChatCompletion: (request, options) =>
        Stream.unwrap(Effect.map(answer(request, options), (full) => {
          const choice = full.choices[0]!
          const chunk = (delta: object, finish: string | null = null) => ({
            id: full.id,
            object: "chat.completion.chunk",
            created: 1,
            model: full.model,
            choices: [{ index: 0, delta, finish_reason: finish }]
          })
          const text = choice.message.content ?? ""
          const pieces = text.split(/(?<= )/).filter((piece) => piece !== "")
          return Stream.fromIterable([
            chunk({ role: "assistant" }),
            ...pieces.map((piece) => chunk({ content: piece })),
            ...(choice.message.tool_calls ? [chunk({ tool_calls: choice.message.tool_calls })] : []),
            chunk({}, choice.finish_reason ?? "stop"),
            { ...chunk({}), choices: [], ...(full.usage == null ? {} : { usage: full.usage }) }
          ])
        })),
      listModels: Effect.succeed({ data: [] }),
      getModel: (id) => Effect.succeed({ id })
    })
  )
  /** Whether each request was to be checked by the client (`validate` not false). */
  const validated = () => callOptions.map((options) => options?.validate !== false)
  return { layer, requests, callOptions, validated, problems, counts }
}
