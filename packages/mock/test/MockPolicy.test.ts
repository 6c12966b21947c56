import { assert, describe, it, layer } from "@effect/vitest"
import { MockGrok, MockPolicy } from "@grokit/mock"
import { Effect } from "effect"
import { ask, chat, parseEvents, parseJson, tool } from "./support/Http.ts"

const weather = tool("weather", "Get the current weather for a city", {
  city: { type: "string" },
  unit: { type: "string", enum: ["celsius", "fahrenheit"] },
  days: { type: "integer", minimum: 1, maximum: 7 }
}, ["city"])
const clock = tool("get_time", "Tell the current local time in a timezone", {
  timezone: { type: "string" }
}, ["timezone"])
const search = tool("search_documents", "Full-text search over the user's documents", {
  query: { type: "string" },
  limit: { type: "number" },
  exact: { type: "boolean" }
}, ["query"])
const tools = [weather, clock, search]

const callsOf = (body: any): Array<{ readonly name: string; readonly arguments: unknown }> =>
  (body.choices[0].message.tool_calls ?? []).map((call: any) => ({
    name: call.function.name,
    arguments: JSON.parse(call.function.arguments)
  }))

layer(MockGrok.layer())("MockPolicy over HTTP", (it) => {
  const answerTo = (request: Record<string, unknown>) =>
    Effect.gen(function*() {
      const mock = yield* MockGrok
      mock.reset()
      const answer = yield* chat(mock.url, request)
      assert.strictEqual(answer.status, 200, answer.text)
      return parseJson(answer)
    })

  it.effect("calls the tool the user names, with arguments read from the message", () =>
    Effect.gen(function*() {
      const body = yield* answerTo(ask("What is the weather? city: San Francisco, unit=fahrenheit", { tools }))
      assert.strictEqual(body.choices[0].finish_reason, "tool_calls")
      assert.strictEqual(body.choices[0].message.content, "")
      assert.match(body.choices[0].message.tool_calls[0].id, /^call_\d{8}$/)
      assert.deepStrictEqual(callsOf(body), [
        { name: "weather", arguments: { city: "San Francisco", unit: "fahrenheit" } }
      ])
    }))

  it.effect("matches a tool by a word of its description, and fills required properties by default", () =>
    Effect.gen(function*() {
      const body = yield* answerTo(ask("Which timezone is Tokyo in, and what is the local hour?", { tools }))
      // "timezone" and "local" are words of get_time's description; the timezone is the last capitalized word
      assert.deepStrictEqual(callsOf(body), [{ name: "get_time", arguments: { timezone: "Tokyo" } }])
    }))

  it.effect("calls every matching tool in one message when several match", () =>
    Effect.gen(function*() {
      const body = yield* answerTo(ask("Give me the weather in city Paris for days 3 and the local time", { tools }))
      assert.deepStrictEqual(callsOf(body), [
        { name: "weather", arguments: { city: "Paris", days: 3 } },
        { name: "get_time", arguments: { timezone: "Paris" } }
      ])
    }))

  it.effect("streams parallel calls whole in one chunk, with indexes", () =>
    Effect.gen(function*() {
      const mock = yield* MockGrok
      mock.reset()
      const answer = yield* chat(mock.url, ask("weather and time for Rome", { tools, stream: true }))
      const { chunks } = parseEvents(answer.text)
      assert.strictEqual(chunks.length, 2)
      const calls = chunks[0].choices[0].delta.tool_calls
      assert.deepStrictEqual(calls.map((call: any) => [call.index, call.type, call.function.name]), [
        [0, "function", "weather"],
        [1, "function", "get_time"]
      ])
      assert.strictEqual(chunks[0].choices[0].delta.role, "assistant")
      assert.strictEqual(chunks[1].choices[0].finish_reason, "tool_calls")
    }))

  it.effect("calls only the first matching tool with parallel_tool_calls: false", () =>
    Effect.gen(function*() {
      const body = yield* answerTo(ask("weather and time for Rome", { tools, parallel_tool_calls: false }))
      assert.deepStrictEqual(callsOf(body).map((call) => call.name), ["weather"])
    }))

  it.effect("forces the named tool with tool_choice {type: function}", () =>
    Effect.gen(function*() {
      const body = yield* answerTo(ask("Hello!", {
        tools,
        tool_choice: { type: "function", function: { name: "search_documents" } }
      }))
      assert.deepStrictEqual(callsOf(body), [{ name: "search_documents", arguments: { query: "example" } }])
    }))

  it.effect("forces the best match, or the first tool, with tool_choice required", () =>
    Effect.gen(function*() {
      const best = yield* answerTo(ask("search my documents for query \"budget 2026\" limit 5", {
        tools,
        tool_choice: "required"
      }))
      assert.deepStrictEqual(callsOf(best), [
        { name: "search_documents", arguments: { query: "budget 2026", limit: 5 } }
      ])
      const first = yield* answerTo(ask("Hello!", { tools, tool_choice: "required" }))
      assert.deepStrictEqual(callsOf(first).map((call) => call.name), ["weather"])
    }))

  it.effect("answers with text when tool_choice is none or nothing matches", () =>
    Effect.gen(function*() {
      const none = yield* answerTo(ask("weather in Paris", { tools, tool_choice: "none" }))
      assert.strictEqual(none.choices[0].message.content, "You said: weather in Paris")
      const nothing = yield* answerTo(ask("Hello there", { tools }))
      assert.strictEqual(nothing.choices[0].message.content, "You said: Hello there")
      assert.strictEqual(nothing.choices[0].finish_reason, "stop")
    }))

  it.effect("answers from the tool results when the last message is a tool message", () =>
    Effect.gen(function*() {
      const body = yield* answerTo({
        model: "grok-4.3",
        tools,
        messages: [
          { role: "user", content: "weather and time in Paris" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call_1", type: "function", function: { name: "weather", arguments: "{\"city\":\"Paris\"}" } },
              { id: "call_2", type: "function", function: { name: "get_time", arguments: "{}" } }
            ]
          },
          { role: "tool", tool_call_id: "call_1", content: "sunny, 21 C" },
          { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "14:05" }] }
        ]
      })
      assert.strictEqual(
        body.choices[0].message.content,
        "Based on the tool results: weather: sunny, 21 C; get_time: 14:05"
      )
      assert.strictEqual(body.choices[0].finish_reason, "stop")
      assert.isAbove(body.usage.prompt_tokens_details.cached_tokens, 0)
    }))

  it.effect("answers JSON that satisfies a json_schema response format", () =>
    Effect.gen(function*() {
      const body = yield* answerTo(ask("Plan a trip to city Lisbon for nights 4", {
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "trip",
            strict: true,
            schema: {
              type: "object",
              properties: {
                city: { type: "string" },
                nights: { type: "integer" },
                budget: { type: "number", minimum: 100 },
                style: { type: "string", enum: ["cheap", "luxury"] },
                stops: { type: "array", items: { type: "string" } },
                flags: { type: "object", properties: { pets: { type: "boolean" } }, required: ["pets"] },
                notes: { anyOf: [{ type: "null" }, { type: "string" }] }
              },
              required: ["city", "nights", "budget", "style", "stops", "flags", "notes"],
              additionalProperties: false
            }
          }
        }
      }))
      assert.deepStrictEqual(JSON.parse(body.choices[0].message.content), {
        city: "Lisbon",
        nights: 4,
        budget: 100,
        style: "cheap",
        stops: [],
        flags: { pets: true },
        notes: "Lisbon"
      })
    }))

  it.effect("answers a JSON object for json_object", () =>
    Effect.gen(function*() {
      const body = yield* answerTo(ask("hi", { response_format: { type: "json_object" } }))
      assert.deepStrictEqual(JSON.parse(body.choices[0].message.content), { answer: "You said: hi" })
    }))
})

describe("MockPolicy", () => {
  it("builds values from JSON Schema: written values, enums, refs, bounds, optional properties", () => {
    const schema = {
      type: "object",
      $defs: { Unit: { type: "string", enum: ["metric", "imperial"] } },
      properties: {
        city: { type: "string" },
        count: { type: "integer", minimum: 2 },
        ratio: { type: "number", exclusiveMaximum: 1 },
        verbose: { type: "boolean" },
        unit: { $ref: "#/$defs/Unit" },
        tags: { type: "array", items: { type: "string" }, minItems: 1 },
        note: { type: ["string", "null"] }
      },
      required: ["city", "count", "ratio", "unit", "tags"]
    }
    assert.deepStrictEqual(
      MockPolicy.valueFromSchema(schema, "For city is Buenos Aires, verbose: no, in imperial please"),
      { city: "Buenos Aires", count: 2, ratio: 0, verbose: false, unit: "imperial", tags: ["Buenos Aires"] }
    )
    assert.deepStrictEqual(
      MockPolicy.valueFromSchema(schema, "nothing useful", { includeOptional: true }),
      { city: "example", count: 2, ratio: 0, verbose: true, unit: "metric", tags: ["example"], note: "example" }
    )
  })

  it("scores tools by name first, then by description words", () => {
    assert.strictEqual(MockPolicy.toolScore(weather as any, "no match here"), 0)
    assert.isAtLeast(MockPolicy.toolScore(weather as any, "WEATHER please"), 100)
    assert.strictEqual(MockPolicy.toolScore(weather as any, "the current city"), 2)
    assert.strictEqual(MockPolicy.toolScore(clock as any, "get time now"), 101) // name, and "time"
    assert.strictEqual(MockPolicy.bestTool(tools as any, "what time is it")?.function.name, "get_time")
  })

  it("is deterministic", () => {
    const request = { model: "grok-4.3", messages: [{ role: "user" as const, content: "weather in Oslo" }] }
    const withTools = { ...request, tools: tools as any }
    assert.deepStrictEqual(MockPolicy.answer(withTools), MockPolicy.answer(withTools))
    assert.deepStrictEqual(MockPolicy.answer(request), {
      _tag: "Text",
      content: "You said: weather in Oslo",
      reasoningContent: undefined,
      finishReason: "stop"
    })
  })
})
