/**
 * The grokit variants: the same work as `baseline.ts`, written the way the README tells users to
 * write it. `grokit` runs on `NodeHttpClient.layerUndici` (undici's `Agent`, default options),
 * `grokit-fetch` on `FetchHttpClient.layer` (the platform's `fetch`, as the baseline).
 * `grokit-client` is the baseline's hand-written tool loop with `GrokClient` in place of `fetch`
 * (no `Agent`): it splits the loop scenarios' overhead into the client's and the agent's.
 *
 * `NodeHttpClient` is imported from its own module: the package's barrel also loads modules a
 * client never uses (a Redis client among them), which only inflates the process's memory.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { type ChatCompletionRequest, type ChatMessage, GrokClient } from "@grokit/core"
import { Agent } from "@grokit/runtime"
import { Effect, Layer, ManagedRuntime, Redacted, Schema, Stream } from "effect"
import { Tool, Toolkit } from "effect/ai"
import { FetchHttpClient } from "effect/http"
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
  weather
} from "./scenarios.ts"
import type { Workload } from "./worker.ts"

const GetWeather = Tool.make("get_weather", {
  description: "Current weather in a city",
  parameters: Schema.Struct({ city: Schema.String }),
  success: Schema.Struct({ city: Schema.String, celsius: Schema.Finite, sky: Schema.String })
})
const GetTime = Tool.make("get_time", {
  description: "Current time in a time zone",
  parameters: Schema.Struct({ zone: Schema.String }),
  success: Schema.Struct({ zone: Schema.String, time: Schema.String })
})

/** The toolkit of the loop scenarios. */
export const Tools = Toolkit.make(GetWeather, GetTime)

const ToolsLayer = Tools.toLayer({
  get_weather: ({ city }) => Effect.succeed(weather(city)),
  get_time: ({ zone }) => Effect.succeed(time(zone))
})

/** The agent of the loop scenarios. */
export const agent = Agent.make({ model: MODEL, instructions: INSTRUCTIONS, toolkit: Tools, maxSteps: MAX_STEPS })

const singleRequest: ChatCompletionRequest = { model: MODEL, messages: [{ role: "user", content: SINGLE_PROMPT }] }
const streamRequest: ChatCompletionRequest = { model: MODEL, messages: [{ role: "user", content: STREAM_PROMPT }] }

/** The baseline's tool, on a parsed tool call: the message content, or an error text. */
const runTool = (name: string, input: unknown): string => {
  const argument = (key: string): string | undefined => {
    const value = typeof input === "object" && input !== null ? (input as Record<string, unknown>)[key] : undefined
    return typeof value === "string" ? value : undefined
  }
  switch (name) {
    case "get_weather": {
      const city = argument("city")
      return city === undefined ? "Error: city must be a string" : JSON.stringify(weather(city))
    }
    case "get_time": {
      const zone = argument("zone")
      return zone === undefined ? "Error: zone must be a string" : JSON.stringify(time(zone))
    }
    default:
      return `Error: there is no tool named ${name}`
  }
}

export const make = (
  scenario: ScenarioName,
  baseUrl: string,
  http: "undici" | "fetch",
  loop: "agent" | "client"
): Workload => {
  const client = GrokClient.layer({ apiKey: Redacted.make(API_KEY), baseUrl }).pipe(
    Layer.provide(http === "undici" ? NodeHttpClient.layerUndici : FetchHttpClient.layer)
  )
  const layer = Layer.mergeAll(client, ToolsLayer)
  const runtime = ManagedRuntime.make(layer)

  const singleCall = (count: number) =>
    Effect.gen(function*() {
      const grok = yield* GrokClient
      let answered = 0
      for (let index = 0; index < count; index++) {
        const completion = yield* grok.createChatCompletion(singleRequest)
        if (typeof completion.choices[0]?.message.content === "string") answered++
      }
      return answered
    })

  const streamTokens = (count: number) =>
    Effect.gen(function*() {
      const grok = yield* GrokClient
      let tokens = 0
      for (let index = 0; index < count; index++) {
        const parts: Array<string> = []
        yield* Stream.runForEach(grok.streamChatCompletion(streamRequest), (chunk) => {
          const content = chunk.choices[0]?.delta.content
          if (content) parts.push(content)
          return Effect.void
        })
        tokens += parts.length
      }
      return tokens
    })

  const agentRun = Effect.map(Agent.run(agent, AGENT_PROMPT), (result) => {
    if (result.status !== "completed") throw new Error(`the run ended ${result.status}`)
    return result.steps.length
  })

  /** `baseline.ts`'s loop, on `GrokClient`. */
  const clientRun = Effect.gen(function*() {
    const grok = yield* GrokClient
    const messages: Array<ChatMessage> = [
      { role: "system", content: INSTRUCTIONS },
      { role: "user", content: AGENT_PROMPT }
    ]
    let promptTokens = 0
    let completionTokens = 0
    for (let step = 0; step < MAX_STEPS; step++) {
      const completion = yield* grok.createChatCompletion({ model: MODEL, messages, tools: agent.wireTools })
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
      const toolCalls = calls.map((call) => ({
        id: call.id,
        type: "function" as const,
        function: { name: call.function.name, arguments: call.function.arguments }
      }))
      messages.push(
        text === ""
          ? { role: "assistant", tool_calls: toolCalls }
          : { role: "assistant", content: text, tool_calls: toolCalls }
      )
      for (const call of calls) {
        let content: string
        try {
          content = runTool(call.function.name, JSON.parse(call.function.arguments || "{}"))
        } catch {
          content = `Error: the arguments of ${call.function.name} are not valid JSON`
        }
        messages.push({ role: "tool", tool_call_id: call.id, content })
      }
    }
    throw new Error(`no answer after ${MAX_STEPS} steps`)
  })

  const modelCalls: Effect.Effect<number, unknown, Layer.Success<typeof layer>> = loop === "agent"
    ? agentRun
    : clientRun

  const toolLoop = (count: number) =>
    Effect.gen(function*() {
      let calls = 0
      for (let index = 0; index < count; index++) calls += yield* modelCalls
      return calls
    })

  const concurrentAgents = (count: number) =>
    Effect.map(
      Effect.forEach(Array.from({ length: count }), () => modelCalls, { concurrency: "unbounded" }),
      (calls) => calls.reduce((sum, value) => sum + value, 0)
    )

  const programs: Record<
    ScenarioName,
    (count: number) => Effect.Effect<number, unknown, Layer.Success<typeof layer>>
  > = {
    "single-call": singleCall,
    "stream-tokens": streamTokens,
    "tool-loop": toolLoop,
    "concurrent-agents": concurrentAgents
  }
  const program = programs[scenario]
  return {
    run: (count) => runtime.runPromise(program(count)),
    close: () => runtime.dispose()
  }
}
