/**
 * The agent loop on the Responses API, with a scripted `GrokResponses` (the loop on the mock over
 * real sockets is tested in @grokit/search, SearchAgent.test.ts): function calls answered exactly
 * once as `function_call_output` items, the conversation sent as input items, server-side tool
 * calls recorded, citations from annotations and from the tool-result hook, usage with
 * server-side tools, the step cap, typed errors, streaming events.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import {
  type CallOptions,
  GrokError,
  GrokResponses,
  HttpStatusError,
  type InputItem,
  type OutputItem,
  type ResponsesRequest,
  type ResponsesResponse,
  type ResponsesStreamEvent
} from "@grokit/core"
import { Agent, AgentError, AgentState, ResponsesLoop, RunUsage } from "@grokit/runtime"
import { Effect, Layer, Schema, Stream } from "effect"
import { Tool, Toolkit } from "effect/ai"

const GetWeather = Tool.make("get_weather", {
  description: "Current weather in a city",
  parameters: Schema.Struct({ city: Schema.String }),
  success: Schema.Struct({ city: Schema.String, celsius: Schema.Finite })
})
const Tools = Toolkit.make(GetWeather)
const handled: Array<string> = []
const ToolsLayer = Tools.toLayer({
  get_weather: ({ city }) => Effect.sync(() => (handled.push(city), { city, celsius: 21 }))
})

type Entry =
  | { readonly text: string; readonly citations?: ReadonlyArray<string>; readonly searches?: number }
  | { readonly calls: ReadonlyArray<{ readonly name: string; readonly arguments: string; readonly id?: string }> }
  | { readonly error: GrokError }

const usage = { input_tokens: 100, output_tokens: 30, total_tokens: 130, cost_in_usd_ticks: 1_000_000 }

const response = (entry: Exclude<Entry, { error: GrokError }>, index: number): ResponsesResponse => {
  const output: Array<OutputItem> = []
  if ("calls" in entry) {
    entry.calls.forEach((call, position) =>
      output.push({
        type: "function_call",
        id: `fc_${index}_${position}`,
        call_id: call.id ?? `call_${index}_${position}`,
        name: call.name,
        arguments: call.arguments,
        status: "completed"
      })
    )
  } else {
    for (let search = 0; search < (entry.searches ?? 0); search++) {
      output.push({
        type: "web_search_call",
        id: `ws_${index}_${search}`,
        name: "web_search",
        arguments: "{}",
        call_id: ""
      })
    }
    output.push({
      type: "message",
      id: `msg_${index}`,
      role: "assistant",
      status: "completed",
      content: [{
        type: "output_text",
        text: entry.text,
        annotations: (entry.citations ?? []).map((url) => ({
          type: "url_citation" as const,
          url,
          title: `Title of ${url}`
        }))
      }]
    })
  }
  const searches = "calls" in entry ? 0 : entry.searches ?? 0
  return {
    id: `resp_${index}`,
    model: "grok-4.3",
    status: "completed",
    output,
    usage: {
      ...usage,
      output_tokens_details: { reasoning_tokens: 10 },
      ...(searches === 0 ? {} : { num_server_side_tools_used: searches })
    }
  }
}

const scripted = (script: ReadonlyArray<Entry>) => {
  const requests: Array<ResponsesRequest> = []
  const callOptions: Array<CallOptions | undefined> = []
  let next = 0
  const answer = (request: ResponsesRequest, call?: CallOptions) =>
    Effect.suspend(() => {
      requests.push(request)
      callOptions.push(call)
      const index = next++
      const entry = script[index] ?? { text: "(script exhausted)" }
      return "error" in entry ? Effect.fail(entry.error) : Effect.succeed(response(entry, index))
    })
  const layer = Layer.succeed(
    GrokResponses,
    GrokResponses.of({
      baseUrl: "scripted://",
      createResponse: answer,
      streamResponse: (request, call) =>
        Stream.unwrap(Effect.map(answer(request, call), (full): Stream.Stream<ResponsesStreamEvent> => {
          const text = full.output.flatMap((item) =>
            item.type === "message" ? (item as any).content.map((part: any) => part.text) : []
          ).join("")
          const pieces = text.split(/(?<= )/).filter((piece: string) => piece !== "")
          return Stream.fromIterable<ResponsesStreamEvent>([
            { type: "response.created", sequence_number: 0, response: { ...full, status: "in_progress", output: [] } },
            ...pieces.map((delta: string, index: number): ResponsesStreamEvent => ({
              type: "response.output_text.delta",
              sequence_number: index + 1,
              item_id: "msg",
              output_index: 0,
              content_index: 0,
              delta
            })),
            { type: "response.completed", sequence_number: pieces.length + 1, response: full }
          ])
        }))
    })
  )
  /** Whether each request was checked by the client (its call options did not say `validate: false`). */
  const validated = () => callOptions.map((call) => call?.validate !== false)
  return { layer, requests, callOptions, validated }
}

/** Every function_call of the input is answered by exactly one function_call_output, and ids are unique. */
const answeredOnce = (input: ResponsesRequest["input"]): Array<string> => {
  if (typeof input === "string") return []
  const problems: Array<string> = []
  const calls = new Map<string, number>()
  const outputs = new Map<string, number>()
  for (const item of input as ReadonlyArray<InputItem>) {
    if (item.type === "function_call") calls.set(item.call_id, (calls.get(item.call_id) ?? 0) + 1)
    if (item.type === "function_call_output") outputs.set(item.call_id, (outputs.get(item.call_id) ?? 0) + 1)
  }
  for (const [id, count] of calls) {
    if (count !== 1) problems.push(`call ${id} appears ${count} times`)
    if (outputs.get(id) !== 1) problems.push(`call ${id} is answered ${outputs.get(id) ?? 0} times`)
  }
  for (const id of outputs.keys()) if (!calls.has(id)) problems.push(`output ${id} answers no call`)
  return problems
}

const agent = Agent.make({ model: "grok-4.3", instructions: "Be brief.", toolkit: Tools })

describe("ResponsesLoop", () => {
  it.effect("runs function tools: each call answered once, the conversation sent as input items", () =>
    Effect.gen(function*() {
      const grok = scripted([
        {
          calls: [{ name: "get_weather", arguments: "{\"city\":\"Paris\"}" }, {
            name: "get_weather",
            arguments: "{\"city\":\"Oslo\"}",
            id: ""
          }]
        },
        { text: "Paris 21, Oslo 21." }
      ])
      const result = yield* ResponsesLoop.run(agent, "Weather in Paris and Oslo?", {
        serverTools: [{ type: "web_search" }],
        instructions: "Search when unsure."
      }).pipe(Effect.provide([grok.layer, ToolsLayer]))
      assert.strictEqual(result.status, "completed")
      if (result.status !== "completed") return
      assert.strictEqual(result.text, "Paris 21, Oslo 21.")
      assert.strictEqual(result.steps.length, 2)
      assert.deepStrictEqual(result.steps[0]!.toolResults.map((toolResult) => toolResult.content), [
        "{\"city\":\"Paris\",\"celsius\":21}",
        "{\"city\":\"Oslo\",\"celsius\":21}"
      ])
      const second = grok.requests[1]!
      assert.deepStrictEqual(answeredOnce(second.input), [])
      const input = second.input as ReadonlyArray<InputItem>
      assert.deepStrictEqual(input.map((item) => "role" in item ? item.role : item.type), [
        "system",
        "system",
        "user",
        "function_call",
        "function_call",
        "function_call_output",
        "function_call_output"
      ])
      assert.deepStrictEqual(input[1], { role: "system", content: "Search when unsure." })
      // the empty call id got a unique one, used by the call and its output
      const ids = input.flatMap((item) => item.type === "function_call" ? [item.call_id] : [])
      assert.deepStrictEqual(ids, ["call_0_0", "call_0_1"])
      assert.deepStrictEqual(second.tools?.map((tool) => tool.type), ["function", "web_search"])
      assert.deepInclude(second.tools?.[0], {
        type: "function",
        name: "get_weather",
        description: "Current weather in a city"
      })
      // the state is a Schema value, and it round-trips
      const back = yield* AgentState.fromJson(AgentState.toJson(result.state))
      assert.deepStrictEqual(back.messages.length, result.state.messages.length)
    }))

  it.effect("collects citations from annotations and from the tool-result hook; records searches; sums usage", () =>
    Effect.gen(function*() {
      const grok = scripted([
        { calls: [{ name: "get_weather", arguments: "{\"city\":\"Paris\"}" }] },
        { text: "Sunny, per [1] and [2].", citations: ["https://x.ai/news", "https://x.com/xai/status/1"], searches: 2 }
      ])
      const events = yield* ResponsesLoop.stream(agent, "Weather?", {
        onToolResult: (toolResult) => ({
          content: `wrapped: ${toolResult.content}`,
          citations: [{ url: "https://feeds.example.com/a", title: "Feed entry", date: "2026-10-01T00:00:00.000Z" }]
        })
      }).pipe(Stream.runCollect, Effect.provide([grok.layer, ToolsLayer]))
      const citations = events.filter((event) => event._tag === "Citation")
      assert.deepStrictEqual(citations, [
        {
          _tag: "Citation",
          url: "https://feeds.example.com/a",
          title: "Feed entry",
          date: "2026-10-01T00:00:00.000Z",
          origin: "tool",
          tool: "get_weather"
        },
        { _tag: "Citation", url: "https://x.ai/news", title: "Title of https://x.ai/news", origin: "web_search" },
        {
          _tag: "Citation",
          url: "https://x.com/xai/status/1",
          title: "Title of https://x.com/xai/status/1",
          origin: "x_search"
        }
      ])
      const finish = events[events.length - 1]!
      assert.strictEqual(finish._tag, "Finish")
      if (finish._tag !== "Finish") return
      const result = finish.result
      assert.deepStrictEqual(result.citations, citations.map((event) => event.url))
      assert.strictEqual(result.sources?.length, 3)
      assert.strictEqual(result.steps[0]!.toolResults[0]!.content, "wrapped: {\"city\":\"Paris\",\"celsius\":21}")
      assert.deepStrictEqual(result.steps[1]!.serverToolCalls?.map((call) => call.type), [
        "web_search_call",
        "web_search_call"
      ])
      assert.strictEqual(result.usage.serverSideToolCalls, 2)
      assert.strictEqual(result.usage.promptTokens, 200)
      assert.strictEqual(result.usage.reasoningTokens, 20)
      assert.strictEqual(result.usage.completionTokens, 40)
      assert.strictEqual(result.usage.totalTokens, 260)
      assert.strictEqual(result.costInUsDollars, RunUsage.costInUsDollars(result.usage))
      // the model read the rewritten tool result
      const outputs = (grok.requests[1]!.input as ReadonlyArray<InputItem>).filter((item) =>
        item.type === "function_call_output"
      )
      assert.deepStrictEqual(outputs.map((item) => (item as any).output), [
        "wrapped: {\"city\":\"Paris\",\"celsius\":21}"
      ])
      const deltas = events.filter((event) => event._tag === "TextDelta").map((event) => (event as any).delta).join("")
      assert.strictEqual(deltas, "Sunny, per [1] and [2].")
    }))

  it.effect("citations: false collects none; warnings are reported in the result", () =>
    Effect.gen(function*() {
      const grok = scripted([{ text: "Done.", citations: ["https://x.ai/"] }])
      const result = yield* ResponsesLoop.run(Agent.make({ model: "grok-4.3" }), "hi", {
        citations: false,
        warnings: [{
          _tag: "NoEquivalent",
          setting: "search_parameters.sources[0].safe_search",
          message: "not applied"
        }]
      }).pipe(Effect.provide(grok.layer))
      assert.deepStrictEqual(result.citations, [])
      assert.isUndefined(result.sources)
      assert.deepStrictEqual(result.warnings?.map((warning) => warning._tag), ["NoEquivalent"])
    }))

  it.effect("the first step's tool_choice, then the agent's (a forced choice resets after the first call)", () =>
    Effect.gen(function*() {
      const grok = scripted([
        { calls: [{ name: "get_weather", arguments: "{\"city\":\"Paris\"}" }] },
        { text: "Done." }
      ])
      yield* ResponsesLoop.run(
        Agent.make({ model: "grok-4.3", toolkit: Tools, request: { tool_choice: "required", temperature: 0.2 } }),
        "hi",
        { firstStepToolChoice: { type: "function", name: "get_weather" } }
      ).pipe(Effect.provide([grok.layer, ToolsLayer]))
      assert.deepStrictEqual(grok.requests.map((request) => request.tool_choice), [
        { type: "function", name: "get_weather" },
        "auto"
      ])
      assert.strictEqual(grok.requests[0]!.temperature, 0.2)
    }))

  it.effect("structured output goes as text.format json_schema and is decoded", () =>
    Effect.gen(function*() {
      const grok = scripted([{ text: "{\"answer\":\"yes\"}" }])
      const result = yield* ResponsesLoop.run(
        Agent.make({ model: "grok-4.3", output: Schema.Struct({ answer: Schema.String }) }),
        "ok?"
      ).pipe(Effect.provide(grok.layer))
      assert.strictEqual(result.status === "completed" && result.output.answer, "yes")
      assert.strictEqual(grok.requests[0]!.text?.format?.type, "json_schema")
    }))

  it.effect("typed errors: chat-only options, approval tools, model failures, the step cap", () =>
    Effect.gen(function*() {
      const chatOnly = yield* Effect.flip(
        ResponsesLoop.run(Agent.make({ model: "grok-4.3", request: { stop: ["x"], seed: 1 } }), "hi").pipe(
          Effect.provide(scripted([]).layer)
        )
      )
      assert.instanceOf(chatOnly, AgentError)
      expect(chatOnly.reason).toMatchObject({ _tag: "InvalidAgent" })
      expect(chatOnly.message).toContain("seed, stop")

      const Delete = Tool.make("delete_file", { success: Schema.String, needsApproval: true })
      const approval = yield* Effect.flip(
        ResponsesLoop.run(Agent.make({ model: "grok-4.3", toolkit: Toolkit.make(Delete) }), "hi").pipe(
          Effect.provide([scripted([]).layer, Toolkit.make(Delete).toLayer({ delete_file: () => Effect.succeed("") })])
        )
      )
      expect(approval.message).toContain("needs approval")

      const failing = scripted([
        { calls: [{ name: "get_weather", arguments: "{\"city\":\"Paris\"}" }] },
        {
          error: new GrokError({
            method: "createResponse",
            reason: new HttpStatusError({ kind: "ServerError", status: 500, serverMessage: "down", retryable: true })
          })
        }
      ])
      const failed = yield* Effect.flip(
        ResponsesLoop.run(agent, "hi").pipe(Effect.provide([failing.layer, ToolsLayer]))
      )
      expect(failed.reason).toMatchObject({ _tag: "ModelCallFailed" })
      assert.strictEqual(failed.state.steps.length, 1)
      assert.strictEqual(failed.state.usage.unreportedCalls, 1)
      assert.strictEqual(failed.state.messages[failed.state.messages.length - 1]!.role, "tool")

      const looping = scripted(
        Array.from({ length: 5 }, () => ({ calls: [{ name: "get_weather", arguments: "{\"city\":\"Rome\"}" }] }))
      )
      const capped = yield* Effect.flip(
        ResponsesLoop.run(Agent.make({ model: "grok-4.3", toolkit: Tools, maxSteps: 2 }), "hi").pipe(
          Effect.provide([looping.layer, ToolsLayer])
        )
      )
      expect(capped.reason).toMatchObject({ _tag: "MaxStepsReached", maxSteps: 2 })
      const finalAnswer = scripted([
        { calls: [{ name: "get_weather", arguments: "{\"city\":\"Rome\"}" }] },
        { text: "Rome 21." }
      ])
      const answered = yield* ResponsesLoop.run(
        Agent.make({ model: "grok-4.3", toolkit: Tools, maxSteps: 1, onMaxSteps: "final-answer" }),
        "hi"
      ).pipe(Effect.provide([finalAnswer.layer, ToolsLayer]))
      assert.strictEqual(answered.status === "completed" && answered.stopReason, "max-steps")
      assert.strictEqual(finalAnswer.requests[1]!.tool_choice, "none")
    }))

  it.effect("continueRun: the next question follows the conversation of a completed run", () =>
    Effect.gen(function*() {
      const grok = scripted([{ text: "First answer.", citations: ["https://a.example/"] }, { text: "Second answer." }])
      const first = yield* ResponsesLoop.run(Agent.make({ model: "grok-4.3" }), "First?").pipe(
        Effect.provide(grok.layer)
      )
      const second = yield* ResponsesLoop.continueRun(Agent.make({ model: "grok-4.3" }), first.state, "Second?").pipe(
        Effect.provide(grok.layer)
      )
      assert.deepStrictEqual(grok.requests[1]!.input, [
        { role: "user", content: "First?" },
        { role: "assistant", content: "First answer." },
        { role: "user", content: "Second?" }
      ])
      assert.strictEqual(second.steps.length, 2)
      assert.deepStrictEqual(second.citations, ["https://a.example/"])
      assert.strictEqual(second.usage.totalTokens, 260)
    }))

  describe("request validation: the client checks the first request of a run, not the ones the loop builds", () => {
    it.effect("run: only the first request is checked; the conversation id goes with every call", () =>
      Effect.gen(function*() {
        const grok = scripted([
          { calls: [{ name: "get_weather", arguments: "{\"city\":\"Paris\"}" }] },
          { calls: [{ name: "get_weather", arguments: "{\"city\":\"Rome\"}" }] },
          { text: "Sunny." }
        ])
        const result = yield* ResponsesLoop.run(agent, "Weather?", { conversationId: "conv-1" }).pipe(
          Effect.provide(Layer.merge(grok.layer, ToolsLayer))
        )
        assert.strictEqual(result.status, "completed")
        expect(grok.validated()).toEqual([true, false, false])
        expect(grok.callOptions).toEqual([
          { conversationId: "conv-1" },
          { conversationId: "conv-1", validate: false },
          { conversationId: "conv-1", validate: false }
        ])
      }))

    it.effect("stream: the same, through streamResponse; without a conversation id the first has no options", () =>
      Effect.gen(function*() {
        const grok = scripted([{ calls: [{ name: "get_weather", arguments: "{\"city\":\"Paris\"}" }] }, {
          text: "Sunny."
        }])
        yield* Stream.runDrain(ResponsesLoop.stream(agent, "Weather?")).pipe(
          Effect.provide(Layer.merge(grok.layer, ToolsLayer))
        )
        expect(grok.validated()).toEqual([true, false])
        expect(grok.callOptions).toEqual([undefined, { validate: false }])
      }))

    it.effect("continueRun: its first request (the caller's state) is checked again", () =>
      Effect.gen(function*() {
        const grok = scripted([{ text: "First answer." }, { text: "Second answer." }])
        const first = yield* ResponsesLoop.run(Agent.make({ model: "grok-4.3" }), "First?").pipe(
          Effect.provide(grok.layer)
        )
        yield* ResponsesLoop.continueRun(Agent.make({ model: "grok-4.3" }), first.state, "Second?").pipe(
          Effect.provide(grok.layer)
        )
        expect(grok.validated()).toEqual([true, true])
      }))
  })

  it.effect("toInputItems maps every message kind", () =>
    Effect.sync(() => {
      const items = ResponsesLoop.toInputItems([
        { role: "system", content: "s" },
        {
          role: "user",
          content: [{ type: "text", text: "look" }, {
            type: "image_url",
            image_url: { url: "https://i/x.png", detail: "low" }
          }]
        },
        {
          role: "assistant",
          content: "checking",
          tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }]
        },
        { role: "tool", tool_call_id: "c1", content: "ok" },
        { role: "assistant", content: "done" }
      ])
      assert.deepStrictEqual(items, [
        { role: "system", content: "s" },
        {
          role: "user",
          content: [{ type: "input_text", text: "look" }, {
            type: "input_image",
            image_url: "https://i/x.png",
            detail: "low"
          }]
        },
        { role: "assistant", content: "checking" },
        { type: "function_call", id: "c1", call_id: "c1", name: "f", arguments: "{}", status: "completed" },
        { type: "function_call_output", call_id: "c1", output: "ok" },
        { role: "assistant", content: "done" }
      ])
    }))
})
