/**
 * 03 · custom tools: the demo. Two tools defined with Effect Schema (a weather lookup and a
 * calculator), handlers from a Layer, and the agent loop that runs them when Grok calls them.
 *
 * Run: `npx -y pnpm@12.4.2 demo`.
 */
import { Example } from "@grokit/cli"
import { MockScript } from "@grokit/mock"
import { Agent, StopCondition } from "@grokit/runtime"
import { Toolkit } from "effect/ai"
import { Calculate, calculate } from "./tools/Calculator.ts"
import { GetWeather, getWeather } from "./tools/Weather.ts"

/** The tools the model may call. */
export const Tools = Toolkit.make(GetWeather, Calculate)

/** Their handlers, as a Layer. */
export const ToolsLayer = Tools.toLayer({ get_weather: getWeather, calculate })

export const example = Example.make({
  name: "custom-tools",
  description: "an agent with two custom tools: a weather lookup and a calculator",
  agent: Agent.make({
    model: process.env.GROK_MODEL ?? "grok-4.3",
    instructions: "You are a helpful assistant. Use the tools for weather and arithmetic; never guess them.",
    toolkit: Tools,
    maxSteps: 6,
    stopWhen: StopCondition.costBudget(0.25)
  }),
  input: "What's the weather in Paris right now, and what is (18 * 9 / 5) + 32?",
  handlers: ToolsLayer,
  mock: {
    script: [
      MockScript.toolCalls([
        { name: "get_weather", arguments: { city: "Paris" } },
        { name: "calculate", arguments: { expression: "(18 * 9 / 5) + 32" } }
      ])
    ]
  }
})

if (import.meta.main) Example.main(example)
