/**
 * The mock's `POST /v1/responses`: validation as xAI answers, simulated `web_search` and
 * `x_search` over the canned corpus with `url_citation` annotations, function tools, the event
 * stream in xAI's shape, usage and cost, scripts and faults.
 */
import { assert, describe, layer } from "@effect/vitest"
import { decodeResponsesResponse, ResponsesStreamEvent } from "@grokit/core"
import { MockFault, MockGrok, MockResponses, MockScript, MockSearchCorpus } from "@grokit/mock"
import { Effect, Schema } from "effect"
import { authorized, parseEvents, parseJson, send } from "./support/Http.ts"

const responses = (base: string, body: unknown, headers: Record<string, string> = {}) =>
  send(`${base}/responses`, { body, headers: authorized(headers) })

const weatherTool = {
  type: "function",
  name: "get_weather",
  description: "Current weather of a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }
}

const decodeEvent = Schema.decodeUnknownSync(ResponsesStreamEvent)

layer(MockGrok.layer())("MockServer /v1/responses", (it) => {
  describe("validation", () => {
    it.effect("401 without a bearer token, 422 on schema errors, 404 for an unknown model, 400 for refusals", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        const url = `${mock.url}/responses`
        const noKey = yield* send(url, {
          body: { model: "grok-4.3", input: "hi" },
          headers: { "content-type": "application/json" }
        })
        assert.strictEqual(noKey.status, 401)

        const notJson = yield* send(url, { body: "{oops", headers: authorized() })
        assert.strictEqual(notJson.status, 422)

        const unknownKey = yield* responses(mock.url, {
          model: "grok-4.3",
          input: "hi",
          search_parameters: { mode: "on" }
        })
        assert.strictEqual(unknownKey.status, 422)
        assert.include(parseJson(unknownKey).error, "search_parameters")

        const tooManyDomains = yield* responses(mock.url, {
          model: "grok-4.3",
          input: "hi",
          tools: [{ type: "web_search", excluded_domains: ["a.com", "b.com", "c.com", "d.com", "e.com", "f.com"] }]
        })
        assert.strictEqual(tooManyDomains.status, 422)
        assert.include(parseJson(tooManyDomains).error, "excluded_domains")

        const both = yield* responses(mock.url, {
          model: "grok-4.3",
          input: "hi",
          tools: [{ type: "x_search", allowed_x_handles: ["a"], excluded_x_handles: ["b"] }]
        })
        assert.strictEqual(both.status, 422)
        assert.include(parseJson(both).error, "cannot be used together")

        const badDate = yield* responses(mock.url, {
          model: "grok-4.3",
          input: "hi",
          tools: [{ type: "x_search", from_date: "last week" }]
        })
        assert.strictEqual(badDate.status, 422)

        const model = yield* responses(mock.url, { model: "grok-99", input: "hi" })
        assert.strictEqual(model.status, 404)

        const choice = yield* responses(mock.url, {
          model: "grok-4.3",
          input: "hi",
          tools: [weatherTool],
          tool_choice: { type: "function", name: "nope" }
        })
        assert.strictEqual(choice.status, 400)
        assert.strictEqual(parseJson(choice).code, "Client specified an invalid argument")
        assert.strictEqual(mock.requestCount, 8)
      }))
  })

  describe("server-side search", () => {
    it.effect("web_search and x_search: call items, then a message citing each result with url_citation", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        const answer = yield* responses(mock.url, {
          model: "grok-4.3",
          input: [{ role: "user", content: "Solar energy record in Europe?" }],
          tools: [{ type: "web_search" }, { type: "x_search", allowed_x_handles: ["@Energy_Daily"] }]
        })
        assert.strictEqual(answer.status, 200)
        const body = parseJson(answer)
        assert.strictEqual(body.object, "response")
        assert.strictEqual(body.status, "completed")
        const [web, x, message] = body.output
        assert.deepInclude(web, { type: "web_search_call", name: "web_search", call_id: "", status: "completed" })
        assert.strictEqual(web.id, `fc_${body.id}_0`)
        assert.deepStrictEqual(JSON.parse(web.arguments), { query: "Solar energy record in Europe?", num_results: 3 })
        assert.deepInclude(x, { type: "x_search_call", name: "x_semantic_search", call_id: "" })
        assert.strictEqual(message.type, "message")
        const part = message.content[0]
        assert.strictEqual(part.type, "output_text")
        const urls = part.annotations.map((annotation: any) => annotation.url)
        assert.include(urls, "https://news.example.com/2026/10/12/solar-record-europe")
        assert.include(urls, "https://x.com/energy_daily/status/1970000000000000002")
        for (const annotation of part.annotations) {
          assert.strictEqual(annotation.type, "url_citation")
          const cited = part.text.slice(annotation.start_index, annotation.end_index)
          assert.include(cited, annotation.title)
        }
        assert.strictEqual(body.usage.num_server_side_tools_used, 2)
        assert.strictEqual(body.usage.total_tokens, body.usage.input_tokens + body.usage.output_tokens)
        assert.isAtLeast(body.usage.cost_in_usd_ticks, 2 * 50_000_000)
        // the core decoder reads it
        const decoded = yield* decodeResponsesResponse(body)
        assert.strictEqual(decoded.output.length, 3)
      }))

    it.effect("filters: excluded and allowed domains, handles, date ranges", () =>
      Effect.sync(() => {
        const solar = (query: Partial<MockSearchCorpus.Query>) =>
          MockSearchCorpus.search({ kind: "web", text: "solar energy record", ...query }).map((document) =>
            document.url
          )
        assert.include(solar({}), "https://news.example.com/2026/10/12/solar-record-europe")
        assert.notInclude(
          solar({ excludedDomains: ["example.com"] }),
          "https://news.example.com/2026/10/12/solar-record-europe"
        )
        assert.deepStrictEqual(solar({ allowedDomains: ["wikipedia.org"] }), [])
        const posts = (query: Partial<MockSearchCorpus.Query>) =>
          MockSearchCorpus.search({ kind: "x", text: "solar energy agent loop RAG", limit: 10, ...query })
            .map((document) => document.handle)
        assert.deepStrictEqual(posts({ allowedHandles: ["@agent_builder"] }), ["agent_builder"])
        assert.notInclude(posts({ excludedHandles: ["ENERGY_DAILY"] }), "energy_daily")
        assert.deepStrictEqual(posts({ fromDate: "2026-10-01", toDate: "2026-10-31" }), ["energy_daily", "grokit_dev"])
        assert.deepStrictEqual(posts({ fromDate: "2026-10-02" }), ["energy_daily"])
        assert.strictEqual(MockSearchCorpus.documents.length, 12)
      }))

    it.effect("nothing relevant: a message without citations", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        const body = parseJson(
          yield* responses(mock.url, { model: "grok-4.3", input: "zebra migration", tools: [{ type: "web_search" }] })
        )
        const message = body.output.find((item: any) => item.type === "message")
        assert.include(message.content[0].text, "found nothing relevant")
        assert.deepStrictEqual(message.content[0].annotations, [])
      }))
  })

  describe("function tools", () => {
    it.effect("calls a named function, then answers from function_call_output items", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        const first = parseJson(
          yield* responses(mock.url, { model: "grok-4.3", input: "Weather in Paris?", tools: [weatherTool] })
        )
        assert.strictEqual(first.output.length, 1)
        const call = first.output[0]
        assert.deepInclude(call, { type: "function_call", name: "get_weather", call_id: "call_00000001" })
        assert.deepStrictEqual(JSON.parse(call.arguments), { city: "Paris" })
        const second = parseJson(
          yield* responses(mock.url, {
            model: "grok-4.3",
            input: [
              { role: "user", content: "Weather in Paris?" },
              { type: "function_call", call_id: call.call_id, name: "get_weather", arguments: call.arguments },
              { type: "function_call_output", call_id: call.call_id, output: "{\"celsius\":18}" }
            ],
            tools: [weatherTool]
          })
        )
        assert.strictEqual(second.output[0].content[0].text, "Based on the tool results: get_weather: {\"celsius\":18}")
        // after function outputs, offered searches run too and are cited after the tool results
        const third = MockResponses.answer({
          model: "grok-4.3",
          input: [
            { role: "user", content: "solar record" },
            { type: "function_call", call_id: "c1", name: "get_weather", arguments: "{}" },
            { type: "function_call_output", call_id: "c1", output: "sunny" }
          ],
          tools: [{ type: "function", name: "get_weather" }, { type: "web_search" }]
        })
        assert.strictEqual(third._tag, "Search")
        const cited = MockResponses.citedText(third as MockResponses.Search)
        assert.isTrue(cited.text.startsWith("Based on the tool results: get_weather: sunny"))
        assert.isAbove(cited.citations.length, 0)
      }))

    it.effect("scripts apply to /v1/responses too", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        mock.enqueue(MockScript.toolCall("get_weather", { city: "Oslo" }), MockScript.text("Cold."))
        const first = parseJson(yield* responses(mock.url, { model: "grok-4.3", input: "hi", tools: [weatherTool] }))
        assert.deepStrictEqual(JSON.parse(first.output[0].arguments), { city: "Oslo" })
        const second = parseJson(yield* responses(mock.url, { model: "grok-4.3", input: "hi" }))
        assert.strictEqual(second.output[0].content[0].text, "Cold.")
        mock.enqueue(MockScript.httpError(503, { code: "The service is currently unavailable", error: "busy" }))
        const third = yield* responses(mock.url, { model: "grok-4.3", input: "hi" })
        assert.strictEqual(third.status, 503)
      }))
  })

  describe("streaming", () => {
    it.effect("streams xAI's events with sequence numbers, ending with response.completed", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        const answer = yield* responses(mock.url, {
          model: "grok-4.3",
          stream: true,
          input: "Solar energy record?",
          tools: [{ type: "web_search" }, weatherTool]
        })
        assert.strictEqual(answer.headers.get("content-type"), "text/event-stream")
        const { chunks, done } = parseEvents(answer.text)
        assert.isFalse(done)
        chunks.forEach((chunk, index) => assert.strictEqual(chunk.sequence_number, index))
        const types = chunks.map((chunk) => chunk.type)
        assert.deepStrictEqual(types.slice(0, 4), [
          "response.created",
          "response.in_progress",
          "response.output_item.added",
          "response.output_item.done"
        ])
        assert.strictEqual(types[types.length - 1], "response.completed")
        for (const chunk of chunks) decodeEvent(chunk)
        const text = chunks.filter((chunk) => chunk.type === "response.output_text.delta").map((chunk) => chunk.delta)
          .join("")
        const final = chunks[chunks.length - 1].response
        const message = final.output.find((item: any) => item.type === "message")
        assert.strictEqual(text, message.content[0].text)
        const annotations = chunks.filter((chunk) => chunk.type === "response.output_text.annotation.added")
        assert.deepStrictEqual(annotations.map((chunk) => chunk.annotation), message.content[0].annotations)
      }))

    it.effect("streams function-call arguments as deltas", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        const answer = yield* responses(mock.url, {
          model: "grok-4.3",
          stream: true,
          input: "Weather in San Francisco?",
          tools: [weatherTool]
        })
        const { chunks } = parseEvents(answer.text)
        const deltas = chunks.filter((chunk) => chunk.type === "response.function_call_arguments.delta")
        assert.strictEqual(deltas.map((chunk) => chunk.delta).join(""), "{\"city\":\"San Francisco\"}")
        const done = chunks.find((chunk) => chunk.type === "response.output_item.done")
        assert.strictEqual(done.item.status, "completed")
      }))

    it.effect("faults: truncate cuts the stream before response.completed", () =>
      Effect.gen(function*() {
        const mock = yield* MockGrok
        mock.reset()
        const answer = yield* responses(mock.url, { model: "grok-4.3", stream: true, input: "hello" }, {
          "x-mock-fault": MockFault.format(MockFault.truncate())
        })
        const types = parseEvents(answer.text).chunks.map((chunk) => chunk.type)
        assert.isAbove(types.length, 0)
        assert.notInclude(types, "response.completed")
      }))
  })
})
