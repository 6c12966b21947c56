/**
 * Type-level tests: `tsc -b` checks this file (a `@ts-expect-error` that is not an error fails the
 * typecheck), and vitest runs it so the expectations are also executed.
 */
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import type { GrokClient } from "@grokit/core"
import { Agent, type AgentError, type AgentResult } from "@grokit/runtime"
import { Effect, Schema } from "effect"
import { Tool, Toolkit } from "effect/ai"

const GetWeather = Tool.make("get_weather", {
  parameters: Schema.Struct({ city: Schema.String }),
  success: Schema.Struct({ celsius: Schema.Finite })
})
const Tools = Toolkit.make(GetWeather)

describe("Agent types", () => {
  it("a handler must take the tool's parameters and return its success type", () => {
    const good = Tools.toLayer({ get_weather: ({ city }) => Effect.succeed({ celsius: city.length }) })
    const takesNumber = ({ city }: { city: number }) => Effect.succeed({ celsius: city })
    // @ts-expect-error city is a string: a handler that takes a number does not compile
    const wrongArgument = Tools.toLayer({ get_weather: takesNumber })
    const returnsText = () => Effect.succeed("21 degrees")
    // @ts-expect-error the success type is { celsius: number }, not a string
    const wrongResult = Tools.toLayer({ get_weather: returnsText })
    // @ts-expect-error every tool of the toolkit needs a handler
    const missing = Tools.toLayer({})
    expect([good, wrongArgument, wrongResult, missing]).toHaveLength(4)
  })

  it("run's result type follows the output Schema", () => {
    const textAgent = Agent.make({ model: "grok-4.3", toolkit: Tools })
    const structured = Agent.make({
      model: "grok-4.3",
      output: Schema.Struct({ city: Schema.String, celsius: Schema.Finite })
    })
    const textRun = Agent.run(textAgent, "hi")
    const structuredRun = Agent.run(structured, "hi")
    expectTypeOf(textRun).toEqualTypeOf<
      Effect.Effect<AgentResult<string>, AgentError, Agent.Requirements<typeof Tools.tools>>
    >()
    expectTypeOf(structuredRun).toEqualTypeOf<
      Effect.Effect<AgentResult<{ readonly city: string; readonly celsius: number }>, AgentError, GrokClient>
    >()
    const useResult = (result: AgentResult<{ readonly city: string; readonly celsius: number }>) =>
      result.status === "completed" ? result.output.celsius : 0
    expect(typeof useResult).toBe("function")
  })

  it("a run needs the handlers of its toolkit", () => {
    const agent = Agent.make({ model: "grok-4.3", toolkit: Tools })
    expectTypeOf<Effect.Services<ReturnType<typeof Agent.run<typeof Tools.tools, string>>>>().toEqualTypeOf<
      GrokClient | Tool.Handler<"get_weather">
    >()
    expect(agent.wireTools).toHaveLength(1)
  })
})
