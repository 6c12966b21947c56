import { assert, describe, expect, it } from "@effect/vitest"
import { HttpStatusError, TransportError } from "@grokit/core"
import { Agent, AgentError, AgentState, StopCondition } from "@grokit/runtime"
import { Effect, Fiber, Layer, Schema, Stream } from "effect"
import { Tool, Toolkit } from "effect/ai"
import { TestClock } from "effect/testing"
import { Add, Big, Boom, Now, Slow } from "./support/FaultTools.ts"
import * as FaultTools from "./support/FaultTools.ts"
import * as ScriptedGrok from "./support/ScriptedGrok.ts"

class WeatherUnavailable extends Schema.TaggedError<WeatherUnavailable>()("WeatherUnavailable", {
  city: Schema.String
}) {}

const GetWeather = Tool.make("get_weather", {
  description: "Current weather in a city",
  parameters: Schema.Struct({ city: Schema.String }),
  success: Schema.Struct({ city: Schema.String, celsius: Schema.Finite }),
  failure: WeatherUnavailable,
  failureMode: "return"
})
const Delete = Tool.make("delete_file", {
  description: "Deletes a file",
  parameters: Schema.Struct({ path: Schema.String }),
  success: Schema.String,
  needsApproval: true
})

const Tools = Toolkit.make(GetWeather, Add, Now, Slow, Big, Boom, Delete)
const released: Array<number> = []
const deleted: Array<string> = []
const ToolsLayer = Tools.toLayer({
  ...FaultTools.handlers(released),
  get_weather: ({ city }) =>
    city === "Atlantis" ? Effect.fail(new WeatherUnavailable({ city })) : Effect.succeed({ city, celsius: 21 }),
  delete_file: ({ path }) => Effect.sync(() => (deleted.push(path), `deleted ${path}`))
})

const agent = Agent.make({
  model: "grok-4.3",
  instructions: "You are terse.",
  toolkit: Tools,
  toolTimeout: "1 second",
  maxToolOutputBytes: 1024
})

const runWith = <A, E>(script: ReadonlyArray<ScriptedGrok.ScriptEntry>, effect: Effect.Effect<A, E, any>) => {
  const grok = ScriptedGrok.make(script)
  return {
    grok,
    effect: effect.pipe(Effect.provide(Layer.mergeAll(grok.layer, ToolsLayer))) as Effect.Effect<A, E>
  }
}

const call = (name: string, args: unknown, id?: string) => ({
  name,
  arguments: typeof args === "string" ? args : JSON.stringify(args),
  ...(id === undefined ? {} : { id })
})

describe("Agent", () => {
  it.effect("answers without tools, with usage and cost", () => {
    const { effect, grok } = runWith([{ text: "Hello!" }], Agent.run(agent, "Hi"))
    return Effect.gen(function*() {
      const result = yield* effect
      assert(result.status === "completed")
      expect(result.text).toBe("Hello!")
      expect(result.output).toBe("Hello!")
      expect(result.stopReason).toBe("answer")
      expect(result.usage.totalTokens).toBe(15)
      expect(result.costInUsDollars).toBeCloseTo(0.0001, 10)
      expect(grok.requests[0]?.messages[0]).toEqual({ role: "system", content: "You are terse." })
      expect(grok.requests[0]?.tools?.map((tool) => tool.function.name)).toEqual([
        "get_weather",
        "add",
        "now",
        "slow",
        "big",
        "boom",
        "delete_file"
      ])
    })
  })

  it.effect("runs parallel tool calls and appends results in call order", () => {
    const { effect, grok } = runWith(
      [
        { toolCalls: [call("get_weather", { city: "Paris" }), call("add", { a: 2, b: 3 })] },
        { text: "21C and 5" }
      ],
      Agent.run(agent, "weather and sum")
    )
    return Effect.gen(function*() {
      const result = yield* effect
      assert(result.status === "completed")
      expect(result.steps).toHaveLength(2)
      const second = grok.requests[1]!.messages
      expect(second.slice(-2)).toEqual([
        { role: "tool", tool_call_id: "call_0_0", content: "{\"city\":\"Paris\",\"celsius\":21}" },
        { role: "tool", tool_call_id: "call_0_1", content: "5" }
      ])
      expect(result.usage.totalTokens).toBe(30)
      expect(grok.problems).toEqual([])
    })
  })

  describe("fault scenarios: each ends as a completed run or a typed error, every call answered once", () => {
    const scenarios: ReadonlyArray<
      readonly [string, ReadonlyArray<ScriptedGrok.ScriptEntry>, (content: ReadonlyArray<string>) => void]
    > = [
      [
        "malformed JSON arguments",
        [{ toolCalls: [call("add", "{\"a\": 1,")] }],
        ([content]) => expect(content).toMatch(/^Error: the arguments of add are not valid JSON/)
      ],
      [
        "empty arguments for a tool without parameters",
        [{ toolCalls: [call("now", "")] }],
        ([content]) => expect(content).toBe("noon")
      ],
      ["arguments failing the Schema", [{ toolCalls: [call("add", { a: "one", b: 2 })] }], ([content]) => {
        expect(content).toMatch(/^Error: the arguments do not match the parameters of add/)
        expect(content).toContain("a")
      }],
      [
        "an unknown tool",
        [{ toolCalls: [call("teleport", {})] }],
        ([content]) =>
          expect(content).toMatch(/^Error: there is no tool named "teleport". Available tools: get_weather, add/)
      ],
      [
        "multi_tool_use.parallel",
        [{ toolCalls: [call("multi_tool_use.parallel", { tool_uses: [] })] }],
        ([content]) => expect(content).toMatch(/no tool named "multi_tool_use.parallel"/)
      ],
      [
        "a handler defect",
        [{ toolCalls: [call("boom", {})] }],
        ([content]) => expect(content).toMatch(/^Error: boom failed: .*the handler exploded/)
      ],
      [
        "a handler failure returned to the model",
        [{ toolCalls: [call("get_weather", { city: "Atlantis" })] }],
        ([content]) => expect(content).toMatch(/^Error: .*WeatherUnavailable.*Atlantis/)
      ],
      [
        "a handler past its timeout",
        [{ toolCalls: [call("slow", { millis: 60_000 })] }],
        ([content]) => expect(content).toMatch(/^Error: slow did not finish within 1s/)
      ],
      ["a 10 MB output", [{ toolCalls: [call("big", {})] }], ([content]) => {
        expect(new TextEncoder().encode(content!).length).toBeLessThan(1200)
        expect(content).toContain("[truncated: the output was 10485760 bytes; the limit is 1024]")
      }],
      [
        "duplicate tool call ids",
        [{ toolCalls: [call("now", {}, "same"), call("now", {}, "same")] }],
        (contents) => expect(contents).toEqual(["noon", "noon"])
      ],
      [
        "empty tool call ids",
        [{ toolCalls: [call("now", {}, ""), call("add", { a: 1, b: 1 }, "")] }],
        (contents) => expect(contents).toEqual(["noon", "2"])
      ]
    ]
    for (const [name, script, check] of scenarios) {
      it.live(name, () => {
        const { effect, grok } = runWith([...script, { text: "done" }], Agent.run(agent, "go"))
        return Effect.gen(function*() {
          const result = yield* effect
          assert(result.status === "completed")
          expect(result.text).toBe("done")
          const toolMessages = grok.requests[1]!.messages.filter((message) => message.role === "tool")
          expect(toolMessages).toHaveLength(result.steps[0]!.toolCalls.length)
          check(toolMessages.map((message) => String(message.content)))
          expect(grok.problems).toEqual([])
        })
      })
    }

    it.live("5 parallel calls finishing in reverse order keep call order", () => {
      const calls = [50, 40, 30, 20, 10].map((millis) => call("slow", { millis }))
      const { effect, grok } = runWith([{ toolCalls: calls }, { text: "done" }], Agent.run(agent, "go"))
      return Effect.gen(function*() {
        yield* effect
        const contents = grok.requests[1]!.messages.filter((message) => message.role === "tool").map((m) => m.content)
        expect(contents).toEqual(["slept 50", "slept 40", "slept 30", "slept 20", "slept 10"])
      })
    })

    it.effect("interruption mid-tool interrupts the handler and runs its finalizer", () =>
      Effect.gen(function*() {
        released.length = 0
        const { effect } = runWith([{ toolCalls: [call("slow", { millis: 500 })] }], Agent.run(agent, "go"))
        const fiber = yield* Effect.forkChild(effect)
        yield* TestClock.adjust(100)
        yield* Fiber.interrupt(fiber)
        expect(released).toEqual([500])
      }))

    it.effect("a model that never stops calling tools ends with MaxStepsReached, transcript and usage", () => {
      const capped = Agent.make({ model: "grok-4.3", toolkit: Tools, maxSteps: 3 })
      const script = Array.from({ length: 5 }, () => ({ toolCalls: [call("now", {})] }))
      const { effect, grok } = runWith(script, Agent.run(capped, "loop"))
      return Effect.gen(function*() {
        const error = yield* Effect.flip(effect)
        expect(error).toBeInstanceOf(AgentError)
        expect(error.reason._tag).toBe("MaxStepsReached")
        expect(error.state.steps).toHaveLength(3)
        expect(error.state.usage.totalTokens).toBe(45)
        expect(error.state.messages.filter((message) => message.role === "tool")).toHaveLength(3)
        expect(grok.requests).toHaveLength(3)
        expect(grok.problems).toEqual([])
      })
    })

    it.effect("a provider error after a tool round is typed and keeps transcript and usage", () => {
      const { effect } = runWith(
        [{ toolCalls: [call("now", {})] }, {
          error: new HttpStatusError({ kind: "ServerError", status: 503, serverMessage: "down", retryable: true })
        }],
        Agent.run(agent, "go")
      )
      return Effect.gen(function*() {
        const error = yield* Effect.flip(effect)
        expect(error.reason._tag).toBe("ModelCallFailed")
        expect(error.message).toContain("HTTP 503")
        expect(error.state.usage.totalTokens).toBe(15)
        expect(error.state.usage.unreportedCalls).toBe(1)
        expect(error.state.messages.at(-1)).toEqual({ role: "tool", tool_call_id: "call_0_0", content: "noon" })
      })
    })
  })

  it.effect("keeps call order over 1,000 random completion orders", () =>
    Effect.gen(function*() {
      let seed = 20261126
      const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
      for (let run = 0; run < 1000; run++) {
        const delays = Array.from({ length: 2 + Math.floor(next() * 5) }, () => 1 + Math.floor(next() * 50))
        const { effect, grok } = runWith(
          [{ toolCalls: delays.map((millis) => call("slow", { millis })) }, { text: "done" }],
          Agent.run(agent, "go")
        )
        const fiber = yield* Effect.forkChild(effect)
        yield* TestClock.adjust(100)
        yield* Fiber.join(fiber)
        const contents = grok.requests[1]!.messages.filter((message) => message.role === "tool").map((m) => m.content)
        expect(contents, `run ${run}: ${delays.join(",")}`).toEqual(delays.map((millis) => `slept ${millis}`))
      }
    }))

  it.effect("a forced tool_choice applies until the first tool call, then the model may answer", () => {
    const forced = Agent.make({
      model: "grok-4.3",
      toolkit: Tools,
      request: { tool_choice: { type: "function", function: { name: "now" } } }
    })
    const { effect, grok } = runWith([{ toolCalls: [call("now", {})] }, { text: "noon" }], Agent.run(forced, "time?"))
    return Effect.gen(function*() {
      const result = yield* effect
      assert(result.status === "completed")
      expect(grok.requests[0]?.tool_choice).toEqual({ type: "function", function: { name: "now" } })
      expect(grok.requests[1]?.tool_choice).toBe("auto")
    })
  })

  it.effect("runs tools defined by a JSON Schema alone (Tool.dynamic), e.g. proxied tools", () => {
    const Proxy = Tool.dynamic("lookup", {
      description: "Looks a key up in a remote store",
      parameters: { type: "object", properties: { key: { type: "string" } }, required: ["key"] }
    })
    const ProxyTools = Toolkit.make(Proxy)
    const proxied = Agent.make({ model: "grok-4.3", toolkit: ProxyTools })
    const grok = ScriptedGrok.make([{ toolCalls: [call("lookup", { key: "answer" })] }, { text: "42" }])
    const handlers = ProxyTools.toLayer({ lookup: (parameters: unknown) => Effect.succeed({ echoed: parameters }) })
    return Effect.gen(function*() {
      const result = yield* Agent.run(proxied, "look it up").pipe(Effect.provide(Layer.mergeAll(grok.layer, handlers)))
      assert(result.status === "completed")
      expect(grok.requests[0]?.tools?.[0]?.function.parameters).toEqual({
        type: "object",
        properties: { key: { type: "string" } },
        required: ["key"]
      })
      expect(result.steps[0]?.toolResults[0]?.content).toBe("{\"echoed\":{\"key\":\"answer\"}}")
    })
  })

  it.effect("at the cap, final-answer asks once more with tools disabled", () => {
    const capped = Agent.make({ model: "grok-4.3", toolkit: Tools, maxSteps: 1, onMaxSteps: "final-answer" })
    const { effect, grok } = runWith(
      [{ toolCalls: [call("now", {})] }, { text: "It is noon." }],
      Agent.run(capped, "time?")
    )
    return Effect.gen(function*() {
      const result = yield* effect
      assert(result.status === "completed")
      expect(result.stopReason).toBe("max-steps")
      expect(result.text).toBe("It is noon.")
      expect(grok.requests[1]?.tool_choice).toBe("none")
    })
  })

  it.effect("stop conditions end the run and say which one held", () => {
    const stopping = Agent.make({
      model: "grok-4.3",
      toolkit: Tools,
      stopWhen: [StopCondition.toolCalled("add"), StopCondition.costBudget(10)]
    })
    const { effect, grok } = runWith(
      [{ toolCalls: [call("now", {})] }, { toolCalls: [call("add", { a: 1, b: 2 })] }, { text: "never" }],
      Agent.run(stopping, "go")
    )
    return Effect.gen(function*() {
      const result = yield* effect
      assert(result.status === "completed")
      expect(result.stopReason).toBe("stop-condition")
      expect(result.stoppedBy).toBe("tool add called")
      expect(result.steps.at(-1)?.toolResults[0]?.content).toBe("3")
      expect(grok.requests).toHaveLength(2)
    })
  })

  it.effect("a token budget stops the run", () => {
    const budget = Agent.make({ model: "grok-4.3", toolkit: Tools, stopWhen: StopCondition.tokenBudget(20) })
    const { effect } = runWith(
      Array.from({ length: 5 }, () => ({ toolCalls: [call("now", {})] })),
      Agent.run(budget, "go")
    )
    return Effect.gen(function*() {
      const result = yield* effect
      assert(result.status === "completed")
      expect(result.stoppedBy).toBe("token budget of 20 reached")
      expect(result.steps).toHaveLength(2)
    })
  })

  it.effect("pauses for approval, saves its state as JSON, and resumes after approve and reject", () =>
    Effect.gen(function*() {
      deleted.length = 0
      const first = runWith(
        [{
          toolCalls: [call("delete_file", { path: "/tmp/a" }), call("now", {}), call("delete_file", { path: "/etc" })]
        }],
        Agent.run(agent, "clean up")
      )
      const paused = yield* first.effect
      assert(paused.status === "paused")
      expect(paused.pendingApprovals.map((pending) => pending.name)).toEqual(["delete_file", "delete_file"])
      expect(deleted).toEqual([])
      const saved = AgentState.toJson(paused.state)
      const restored = yield* AgentState.fromJson(saved)
      const [approveId, rejectId] = paused.pendingApprovals.map((pending) => pending.toolCallId)
      const second = runWith(
        [{ text: "Deleted /tmp/a; left /etc alone." }],
        Agent.resume(agent, restored, { [approveId!]: Agent.approve, [rejectId!]: Agent.reject("never touch /etc") })
      )
      const result = yield* second.effect
      assert(result.status === "completed")
      expect(deleted).toEqual(["/tmp/a"])
      const tools = second.grok.requests[0]!.messages.filter((message) => message.role === "tool")
      expect(tools.map((message) => message.content)).toEqual([
        "deleted /tmp/a",
        "noon",
        "Error: the user rejected this call: never touch /etc"
      ])
      expect(second.grok.problems).toEqual([])
      expect(result.steps[0]?.toolResults).toHaveLength(3)
    }))

  it.effect("refuses a resume without a decision for every call that needs one", () =>
    Effect.gen(function*() {
      const first = runWith([{ toolCalls: [call("delete_file", { path: "/x" })] }], Agent.run(agent, "go"))
      const paused = yield* first.effect
      assert(paused.status === "paused")
      const second = runWith([], Agent.resume(agent, paused.state, {}))
      const error = yield* Effect.flip(second.effect)
      expect(error.reason._tag).toBe("InvalidResume")
    }))

  it.effect("streams text deltas, tool calls, results, step ends and the finish", () => {
    const { effect } = runWith(
      [{ toolCalls: [call("add", { a: 1, b: 1 })] }, { text: "The sum is 2." }],
      Stream.runCollect(Agent.stream(agent, "1+1"))
    )
    return Effect.gen(function*() {
      const events = yield* effect
      const tags = events.map((event) => event._tag)
      expect(tags[0]).toBe("StepStart")
      expect(tags).toContain("ToolCall")
      expect(tags).toContain("ToolResult")
      expect(tags.filter((tag) => tag === "StepFinish")).toHaveLength(2)
      expect(tags.at(-1)).toBe("Finish")
      const text = events.flatMap((event) => event._tag === "TextDelta" ? [event.delta] : []).join("")
      expect(text).toBe("The sum is 2.")
      const finish = events.at(-1)
      assert(finish?._tag === "Finish" && finish.result.status === "completed")
      expect(finish.result.text).toBe("The sum is 2.")
      expect(finish.result.usage.totalTokens).toBe(30)
    })
  })

  it.effect("decodes structured output with the agent's Schema, and sends a json_schema format", () => {
    const Answer = Schema.Struct({ city: Schema.String, celsius: Schema.Finite })
    const structured = Agent.make({ model: "grok-4.3", output: Answer })
    const { effect, grok } = runWith(
      [{ text: "{\"city\":\"Paris\",\"celsius\":21}" }],
      Agent.run(structured, "weather")
    )
    return Effect.gen(function*() {
      const result = yield* effect
      assert(result.status === "completed")
      expect(result.output).toEqual({ city: "Paris", celsius: 21 })
      expect(grok.requests[0]?.response_format).toMatchObject({
        type: "json_schema",
        json_schema: { name: "output", strict: true }
      })
    })
  })

  it.effect("fails with InvalidOutput when the answer does not match", () => {
    const structured = Agent.make({ model: "grok-4.3", output: Schema.Struct({ n: Schema.Finite }) })
    const { effect } = runWith([{ text: "not json" }], Agent.run(structured, "n?"))
    return Effect.gen(function*() {
      const error = yield* Effect.flip(effect)
      expect(error.reason._tag).toBe("InvalidOutput")
      expect(error.state.usage.totalTokens).toBe(15)
    })
  })

  it.effect("refuses n > 1 with a clear error", () => {
    const invalid = Agent.make({ model: "grok-4.3", request: { n: 2 } })
    const { effect } = runWith([], Agent.run(invalid, "hi"))
    return Effect.gen(function*() {
      const error = yield* Effect.flip(effect)
      expect(error.reason._tag).toBe("InvalidAgent")
      expect(error.message).toContain("n must be 1")
    })
  })

  describe("the request check runs once per run or resume", () => {
    it.effect("run: only the first request is checked; later ones (tool rounds, then the answer) skip it", () => {
      const { effect, grok } = runWith(
        [{ toolCalls: [call("now", {})] }, { toolCalls: [call("add", { a: 1, b: 2 })] }, { text: "3 at noon" }],
        Agent.run(agent, "go")
      )
      return Effect.gen(function*() {
        const result = yield* effect
        assert(result.status === "completed")
        expect(grok.validated()).toEqual([true, false, false])
        expect(grok.callOptions[0]).toBeUndefined()
        expect(grok.callOptions.slice(1)).toEqual([{ validate: false }, { validate: false }])
        expect(grok.problems).toEqual([])
      })
    })

    it.effect("stream: the same, through streamChatCompletion", () => {
      const { effect, grok } = runWith(
        [{ toolCalls: [call("add", { a: 1, b: 1 })] }, { text: "The sum is 2." }],
        Stream.runDrain(Agent.stream(agent, "1+1"))
      )
      return Effect.gen(function*() {
        yield* effect
        expect(grok.validated()).toEqual([true, false])
      })
    })

    it.effect("a final-answer step and a tool_choice reset are built by the loop, so they skip it too", () => {
      const forced = Agent.make({
        model: "grok-4.3",
        toolkit: Tools,
        maxSteps: 2,
        onMaxSteps: "final-answer",
        request: { tool_choice: "required" }
      })
      const { effect, grok } = runWith(
        [{ toolCalls: [call("now", {})] }, { toolCalls: [call("now", {})] }, { text: "noon" }],
        Agent.run(forced, "time?")
      )
      return Effect.gen(function*() {
        const result = yield* effect
        assert(result.status === "completed")
        expect(grok.requests.map((request) => request.tool_choice)).toEqual(["required", "auto", "none"])
        expect(grok.validated()).toEqual([true, false, false])
      })
    })

    it.effect("resume: its first request (the caller's state) is checked again, later ones are not", () =>
      Effect.gen(function*() {
        const first = runWith([{ toolCalls: [call("delete_file", { path: "/tmp/b" })] }], Agent.run(agent, "go"))
        const paused = yield* first.effect
        assert(paused.status === "paused")
        expect(first.grok.validated()).toEqual([true])
        const second = runWith(
          [{ toolCalls: [call("now", {})] }, { text: "done" }],
          Agent.resume(agent, paused.state, { [paused.pendingApprovals[0]!.toolCallId]: Agent.approve })
        )
        const result = yield* second.effect
        assert(result.status === "completed")
        expect(second.grok.validated()).toEqual([true, false])
      }))
  })

  it.effect("a transport failure becomes ModelCallFailed", () => {
    const { effect } = runWith([{ error: new TransportError({ description: "ECONNREFUSED" }) }], Agent.run(agent, "hi"))
    return Effect.gen(function*() {
      const error = yield* Effect.flip(effect)
      expect(error.reason._tag).toBe("ModelCallFailed")
      expect(error.message).toContain("ECONNREFUSED")
    })
  })
})
