/**
 * The baseline: what a careful programmer writes with the platform's `fetch` and nothing else.
 * It checks the status, parses the JSON, and (in the loop) looks tools up, parses and checks
 * their arguments, answers every call, counts usage, and stops at a step cap. It validates
 * nothing else and has no retries, timeouts or typed errors: it is the floor, not a peer.
 *
 * Imports nothing but `scenarios.ts`, so the process's memory is the workload's.
 */
import {
  AGENT_PROMPT,
  API_KEY,
  INSTRUCTIONS,
  MAX_STEPS,
  MODEL,
  type ScenarioName,
  SINGLE_PROMPT,
  STREAM_PROMPT,
  time,
  weather,
  wireTools
} from "./scenarios.ts"
import type { Workload } from "./worker.ts"

interface WireToolCall {
  readonly id: string
  readonly type: "function"
  readonly function: { readonly name: string; readonly arguments: string }
}

interface WireMessage {
  readonly role: string
  readonly content?: string | null
  readonly tool_calls?: ReadonlyArray<WireToolCall>
  readonly tool_call_id?: string
}

interface WireCompletion {
  readonly choices: ReadonlyArray<{
    readonly message: { readonly content?: string | null; readonly tool_calls?: ReadonlyArray<WireToolCall> | null }
    readonly finish_reason: string | null
  }>
  readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number } | null
}

export const make = (scenario: ScenarioName, baseUrl: string): Workload => {
  const url = `${baseUrl}/chat/completions`
  const headers = { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" }

  const post = async (body: unknown): Promise<Response> => {
    const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) })
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`)
    return response
  }

  const complete = async (body: unknown): Promise<WireCompletion> =>
    (await post(body)).json() as Promise<WireCompletion>

  // ---- single-call ------------------------------------------------------------------------------
  const singleCall = async (count: number): Promise<number> => {
    let answered = 0
    for (let index = 0; index < count; index++) {
      const completion = await complete({ model: MODEL, messages: [{ role: "user", content: SINGLE_PROMPT }] })
      if (typeof completion.choices[0]?.message.content === "string") answered++
    }
    return answered
  }

  // ---- stream-tokens ----------------------------------------------------------------------------
  /** Reads one SSE stream: split lines, parse each `data:` event, collect the content. */
  const streamOnce = async (): Promise<number> => {
    const response = await post({
      model: MODEL,
      messages: [{ role: "user", content: STREAM_PROMPT }],
      stream: true,
      stream_options: { include_usage: true }
    })
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    const parts: Array<string> = []
    let buffer = ""
    let done = false
    while (!done) {
      const read = await reader.read()
      if (read.done) break
      buffer += decoder.decode(read.value, { stream: true })
      let start = 0
      let newline = buffer.indexOf("\n", start)
      while (newline !== -1) {
        const line = buffer.slice(start, newline)
        start = newline + 1
        newline = buffer.indexOf("\n", start)
        if (!line.startsWith("data: ")) continue
        const data = line.slice(6)
        if (data === "[DONE]") {
          done = true
          break
        }
        const chunk = JSON.parse(data) as { choices: ReadonlyArray<{ delta: { content?: string | null } }> }
        const content = chunk.choices[0]?.delta.content
        if (content) parts.push(content)
      }
      buffer = buffer.slice(start)
    }
    if (!done) await reader.cancel()
    return parts.length
  }

  const streamTokens = async (count: number): Promise<number> => {
    let tokens = 0
    for (let index = 0; index < count; index++) tokens += await streamOnce()
    return tokens
  }

  // ---- the tool loop ----------------------------------------------------------------------------
  const runTool = (call: WireToolCall): string => {
    let input: unknown
    try {
      input = JSON.parse(call.function.arguments || "{}")
    } catch {
      return `Error: the arguments of ${call.function.name} are not valid JSON`
    }
    const argument = (name: string): string | undefined => {
      const value = typeof input === "object" && input !== null ? (input as Record<string, unknown>)[name] : undefined
      return typeof value === "string" ? value : undefined
    }
    switch (call.function.name) {
      case "get_weather": {
        const city = argument("city")
        return city === undefined ? "Error: city must be a string" : JSON.stringify(weather(city))
      }
      case "get_time": {
        const zone = argument("zone")
        return zone === undefined ? "Error: zone must be a string" : JSON.stringify(time(zone))
      }
      default:
        return `Error: there is no tool named ${call.function.name}`
    }
  }

  /** One agent run: returns the number of model calls it made. */
  const agentRun = async (): Promise<number> => {
    const messages: Array<WireMessage> = [
      { role: "system", content: INSTRUCTIONS },
      { role: "user", content: AGENT_PROMPT }
    ]
    let promptTokens = 0
    let completionTokens = 0
    for (let step = 0; step < MAX_STEPS; step++) {
      const completion = await complete({ model: MODEL, messages, tools: wireTools })
      const choice = completion.choices[0]
      if (choice === undefined) throw new Error("the completion has no choices")
      promptTokens += completion.usage?.prompt_tokens ?? 0
      completionTokens += completion.usage?.completion_tokens ?? 0
      const text = choice.message.content ?? ""
      const calls = choice.message.tool_calls ?? []
      if (calls.length === 0) {
        messages.push({ role: "assistant", content: text })
        if (promptTokens === 0 || completionTokens === 0) throw new Error("no usage")
        return step + 1
      }
      messages.push(
        text === "" ? { role: "assistant", tool_calls: calls } : { role: "assistant", content: text, tool_calls: calls }
      )
      // the handlers are synchronous: "in parallel" is simply all of them, answered in call order
      for (const call of calls) messages.push({ role: "tool", tool_call_id: call.id, content: runTool(call) })
    }
    throw new Error(`no answer after ${MAX_STEPS} steps`)
  }

  const toolLoop = async (count: number): Promise<number> => {
    let calls = 0
    for (let index = 0; index < count; index++) calls += await agentRun()
    return calls
  }

  const concurrentAgents = async (count: number): Promise<number> => {
    const runs: Array<Promise<number>> = []
    for (let index = 0; index < count; index++) runs.push(agentRun())
    const calls = await Promise.all(runs)
    return calls.reduce((sum, value) => sum + value, 0)
  }

  const run = {
    "single-call": singleCall,
    "stream-tokens": streamTokens,
    "tool-loop": toolLoop,
    "concurrent-agents": concurrentAgents
  }[scenario]
  return { run, close: () => Promise.resolve() }
}
