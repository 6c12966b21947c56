/**
 * The loop's fault scenarios end to end: the real client over real sockets against the mock Grok
 * server, which records every request the agent sent. Each scenario ends as a completed run or a
 * typed error, and every recorded request passes the wire's transcript rule.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, expect, it } from "@effect/vitest"
import { type ChatCompletionRequest, GrokClient } from "@grokit/core"
import { MockGrok, MockScript } from "@grokit/mock"
import { Agent, AgentError } from "@grokit/runtime"
import { Effect, Fiber, Layer, Redacted, Stream } from "effect"
import * as FaultTools from "./support/FaultTools.ts"
import { transcriptProblems } from "./support/ScriptedGrok.ts"

const Tools = FaultTools.FaultToolkit
const released: Array<number> = []
const ToolsLayer = Tools.toLayer(FaultTools.handlers(released))

const agent = Agent.make({ model: "grok-4.3", toolkit: Tools, toolTimeout: "300 millis", maxSteps: 4 })

const sentRequests = (mock: MockGrok["Service"]): Array<ChatCompletionRequest> =>
  mock.requests.filter((request) => request.path === "/v1/chat/completions").map((request) =>
    request.body as ChatCompletionRequest
  )

const withClient = <A, E>(mock: MockGrok["Service"], effect: Effect.Effect<A, E, any>) =>
  effect.pipe(
    Effect.provide(Layer.mergeAll(
      ToolsLayer,
      GrokClient.layer({ apiKey: Redacted.make("sk-test"), baseUrl: mock.url, maxRetries: 0 }).pipe(
        Layer.provide(NodeHttpClient.layerUndici)
      )
    ))
  ) as Effect.Effect<A, E>

describe("Agent on the mock server", () => {
  it.layer(MockGrok.layer(), { excludeTestServices: true })((it) => {
    const scenarios: ReadonlyArray<readonly [string, ReadonlyArray<MockScript.ScriptedToolCall>]> = [
      ["malformed JSON arguments", [{ name: "add", arguments: "{\"a\":" }]],
      ["empty arguments for a tool without parameters", [{ name: "now", arguments: "" }]],
      ["arguments failing the Schema", [{ name: "add", arguments: { a: "x", b: 1 } }]],
      ["an unknown tool", [{ name: "fly", arguments: {} }]],
      ["multi_tool_use.parallel", [{ name: "multi_tool_use.parallel", arguments: { tool_uses: [] } }]],
      ["a handler that throws", [{ name: "boom", arguments: {} }]],
      ["a handler past its timeout", [{ name: "slow", arguments: { millis: 5_000 } }]],
      ["a 10 MB output", [{ name: "big", arguments: {} }]],
      ["duplicate tool call ids", [{ name: "now", arguments: {}, id: "same" }, {
        name: "now",
        arguments: {},
        id: "same"
      }]],
      ["empty tool call ids", [{ name: "now", arguments: {}, id: "" }, {
        name: "add",
        arguments: { a: 1, b: 2 },
        id: ""
      }]],
      [
        "5 parallel calls finishing in reverse order",
        [50, 40, 30, 20, 10].map((millis) => ({ name: "slow", arguments: { millis } }))
      ]
    ]
    for (const [name, calls] of scenarios) {
      it.effect(name, () =>
        Effect.gen(function*() {
          const mock = yield* MockGrok
          mock.reset()
          mock.enqueue(MockScript.toolCalls(calls), MockScript.text("done"))
          const result = yield* withClient(mock, Agent.run(agent, "go"))
          assert(result.status === "completed")
          expect(result.text).toBe("done")
          const requests = sentRequests(mock)
          expect(requests).toHaveLength(2)
          for (const request of requests) expect(transcriptProblems(request)).toEqual([])
          const tools = requests[1]!.messages.filter((message) => message.role === "tool")
          expect(tools).toHaveLength(calls.length)
          for (const tool of tools) {
            expect(new TextEncoder().encode(String(tool.content)).length).toBeLessThanOrEqual(33_000)
          }
        }))
    }

    it.effect("interruption mid-tool stops the run and runs the handler's finalizer", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        released.length = 0
        mock.enqueue(MockScript.toolCalls([{ name: "slow", arguments: { millis: 250 } }]))
        const fiber = yield* Effect.forkChild(withClient(mock, Agent.run(agent, "go")))
        yield* Effect.sleep("100 millis")
        yield* Fiber.interrupt(fiber)
        expect(released).toEqual([250])
        expect(sentRequests(mock)).toHaveLength(1)
      }))

    it.effect("a model that never stops calling tools ends with MaxStepsReached", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        for (let step = 0; step < 6; step++) mock.enqueue(MockScript.toolCall("now", {}))
        const error = yield* Effect.flip(withClient(mock, Agent.run(agent, "go")))
        expect(error).toBeInstanceOf(AgentError)
        expect(error.reason._tag).toBe("MaxStepsReached")
        expect(error.state.usage.totalTokens).toBeGreaterThan(0)
        for (const request of sentRequests(mock)) expect(transcriptProblems(request)).toEqual([])
      }))

    it.effect("a provider error after a tool round is a typed error with transcript and usage", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        mock.enqueue(
          MockScript.toolCall("now", {}),
          MockScript.httpError(500, { code: "Internal error", error: "the model crashed" })
        )
        const error = yield* Effect.flip(withClient(mock, Agent.run(agent, "go")))
        expect(error.reason._tag).toBe("ModelCallFailed")
        expect(error.message).toContain("the model crashed")
        expect(error.state.usage.totalTokens).toBeGreaterThan(0)
        expect(error.state.messages.at(-1)?.role).toBe("tool")
      }))

    it.effect("streams a tool loop over SSE and folds usage from include_usage", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        mock.enqueue(MockScript.toolCall("add", { a: 2, b: 2 }), MockScript.text("four"))
        const events = yield* withClient(mock, Agent.stream(agent, "2+2").pipe(Stream.runCollect))
        const finish = events.at(-1)
        assert(finish?._tag === "Finish" && finish.result.status === "completed")
        expect(finish.result.text).toBe("four")
        expect(finish.result.usage.unreportedCalls).toBe(0)
        expect(sentRequests(mock).every((request) => request.stream === true)).toBe(true)
      }))
  })
})
