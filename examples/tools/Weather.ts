/**
 * A weather tool for the examples. Its handler answers from a fixed table, so that the examples
 * run the same offline and online, and never reach a weather service.
 */
import { Effect, Schema } from "effect"
import { Tool } from "effect/ai"

/** The weather tool: its name, description and Schemas are what the model sees. */
export const GetWeather = Tool.make("get_weather", {
  description: "Get the current weather for a city: temperature in Celsius and conditions",
  parameters: Schema.Struct({
    city: Schema.String.annotate({ description: "The city, e.g. Paris" })
  }),
  success: Schema.Struct({ city: Schema.String, celsius: Schema.Finite, conditions: Schema.String })
})

const table: Record<string, { readonly celsius: number; readonly conditions: string }> = {
  paris: { celsius: 18, conditions: "light rain" },
  london: { celsius: 14, conditions: "overcast" },
  tokyo: { celsius: 22, conditions: "clear" },
  "new york": { celsius: 20, conditions: "sunny" },
  berlin: { celsius: 16, conditions: "windy" }
}

/** The handler: a table lookup, with a stable made-up answer for other cities. */
export const getWeather = ({ city }: { readonly city: string }) =>
  Effect.sync(() => {
    const known = table[city.trim().toLowerCase()]
    if (known !== undefined) return { city, ...known }
    let hash = 0
    for (const character of city) hash = (hash * 31 + character.charCodeAt(0)) % 1000
    return { city, celsius: 5 + (hash % 25), conditions: ["sunny", "cloudy", "rain", "snow"][hash % 4]! }
  })
