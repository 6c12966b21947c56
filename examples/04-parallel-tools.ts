/**
 * 04 · parallel tools: Grok calls several tools in one step; their handlers run concurrently (at
 * most `toolConcurrency` at once), and the results go back in the order of the calls, whatever
 * order they finish in.
 */
import { Example } from "@grokit/cli"
import { MockScript } from "@grokit/mock"
import { Agent } from "@grokit/runtime"
import { Effect } from "effect"
import { Toolkit } from "effect/ai"
import { GetWeather, getWeather } from "./tools/Weather.ts"

const Tools = Toolkit.make(GetWeather)

/** A slow weather service: the later the city in the list, the faster it answers. */
const ToolsLayer = Tools.toLayer({
  get_weather: (parameters) =>
    getWeather(parameters).pipe(
      Effect.delay(parameters.city.length * 40 > 400 ? 100 : 400 - parameters.city.length * 40)
    )
})

const cities = ["Paris", "London", "Tokyo", "New York"]

export const example = Example.make({
  name: "parallel-tools",
  description: "four tool calls in one step, run concurrently, answered in call order",
  agent: Agent.make({
    model: process.env.GROK_MODEL ?? "grok-4.3",
    instructions: "Use get_weather once per city, all in the same step, then compare them briefly.",
    toolkit: Tools,
    toolConcurrency: 4,
    request: { parallel_tool_calls: true }
  }),
  input: `Compare the weather right now in ${cities.join(", ")}.`,
  handlers: ToolsLayer,
  mock: { script: [MockScript.toolCalls(cities.map((city) => ({ name: "get_weather", arguments: { city } })))] }
})

if (import.meta.main) Example.main(example)
