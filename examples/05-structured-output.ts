/**
 * 05 · structured output: the agent's answer is JSON that follows a Schema. The Schema is sent as
 * a `json_schema` response format, and the result's `output` is the decoded, typed value.
 */
import { Example } from "@grokit/cli"
import { Agent } from "@grokit/runtime"
import { Schema } from "effect"
import { Toolkit } from "effect/ai"
import { GetWeather, getWeather } from "./tools/Weather.ts"

/** The shape of the answer. */
export const TripAdvice = Schema.Struct({
  city: Schema.String,
  celsius: Schema.Finite,
  pack: Schema.Array(Schema.String).annotate({ description: "What to pack, 1 to 4 items" }),
  umbrella: Schema.Boolean
})

const Tools = Toolkit.make(GetWeather)

export const example = Example.make({
  name: "structured-output",
  description: "an answer decoded with a Schema (json_schema response format)",
  agent: Agent.make({
    model: process.env.GROK_MODEL ?? "grok-4.3",
    instructions: "Check the weather with get_weather, then answer with the JSON object only.",
    toolkit: Tools,
    output: TripAdvice
  }),
  input: "I fly to London tomorrow: check the weather there and tell me what to pack.",
  handlers: Tools.toLayer({ get_weather: getWeather })
})

if (import.meta.main) Example.main(example)
