/**
 * `GrokResponses` over real loopback sockets (undici): against the mock server (server-side
 * search, function calls, streaming, validation, retries, faults), and against tiny servers that
 * replay xAI's real captures (Appendix A8 to A10 of the research notes) byte for byte.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import {
  type GrokClientOptions,
  GrokResponses,
  isTerminalEvent,
  responseFunctionCalls,
  responseServerToolCalls,
  type ResponsesRequest,
  type ResponsesStreamEvent,
  responseText,
  responseUrlCitations
} from "@grokit/core"
import { MockFault, MockScript, MockServer } from "@grokit/mock"
import { Effect, Layer, Redacted, Stream } from "effect"
import { a10XSearchResponse, a8WebSearchResponse, a9WebSearchEventLines } from "./fixtures/responsesApi.ts"
import { grokError, TEST_KEY, testServer, withHeaders } from "./support/Sockets.ts"

const withResponses = <A, E, R>(
  options: Partial<GrokClientOptions> & { readonly baseUrl: string },
  f: (client: GrokResponses["Service"]) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, Exclude<R, GrokResponses>> =>
  Effect.provide(
    GrokResponses.use(f),
    GrokResponses.layer({ apiKey: TEST_KEY, ...options }).pipe(Layer.provide(NodeHttpClient.layerUndici)),
    { local: true }
  ) as Effect.Effect<A, E, Exclude<R, GrokResponses>>

const search = (input: string, extra?: Partial<ResponsesRequest>): ResponsesRequest => ({
  model: "grok-4.3",
  input: [{ role: "user", content: input }],
  tools: [{ type: "web_search" }, { type: "x_search", from_date: "2026-01-01" }],
  ...extra
})

const weatherTool = {
  type: "function" as const,
  name: "get_weather",
  description: "Current weather of a city",
  parameters: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] }
}

const jsonServer = (body: string, status = 200) =>
  testServer((_request, response) => {
    response.writeHead(status, { "content-type": "application/json" })
    response.end(body)
  })

const sseServer = (payloads: ReadonlyArray<string>, options?: { readonly eventLines?: boolean }) =>
  testServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/event-stream" })
    response.end(
      payloads.map((payload) => {
        const type = options?.eventLines === true ? `event: ${JSON.parse(payload).type}\n` : ""
        return `${type}data: ${payload}\n\n`
      }).join("")
    )
  })

describe("GrokResponses", () => {
  describe("on the mock", () => {
    it.effect("createResponse: web_search and x_search calls, cited text, usage with server-side tools and cost", () =>
      Effect.gen(function*() {
        const mock = yield* MockServer.start()
        const response = yield* withResponses(
          { baseUrl: mock.url },
          (client) => client.createResponse(search("Solar energy record in Europe"))
        )
        expect(response.status).toBe("completed")
        expect(responseServerToolCalls(response).map((call) => [call.type, call.name])).toEqual([
          ["web_search_call", "web_search"],
          ["x_search_call", "x_semantic_search"]
        ])
        const citations = responseUrlCitations(response)
        expect(citations.map((citation) => citation.url)).toContain(
          "https://news.example.com/2026/10/12/solar-record-europe"
        )
        expect(citations.every((citation) => typeof citation.title === "string")).toBe(true)
        expect(responseText(response)).toContain("[1] Solar output hits a record in Europe (2026-10-12)")
        expect(response.usage?.num_server_side_tools_used).toBe(2)
        expect(response.usage?.cost_in_usd_ticks).toBeGreaterThan(0)
        const sent = mock.requests[0]!
        expect(sent.path).toBe("/v1/responses")
        expect((sent.body as { stream: boolean }).stream).toBe(false)
      }))

    it.effect("streamResponse: events in order, deltas equal the final text, annotations, terminal event last", () =>
      Effect.gen(function*() {
        const mock = yield* MockServer.start()
        const events = yield* withResponses(
          { baseUrl: mock.url },
          (client) => Stream.runCollect(client.streamResponse(search("Solar energy record")))
        )
        expect(events[0]!.type).toBe("response.created")
        const last = events[events.length - 1]!
        expect(isTerminalEvent(last)).toBe(true)
        const sequence = events.map((event) => event.sequence_number)
        expect(sequence).toEqual(sequence.map((_, index) => index))
        const text = events.flatMap((event) =>
          event.type === "response.output_text.delta" ? [(event as any).delta] : []
        )
          .join("")
        const final = (last as Extract<ResponsesStreamEvent, { response: unknown }>).response
        expect(text).toBe(responseText(final))
        const annotations = events.filter((event) => event.type === "response.output_text.annotation.added")
        expect(annotations.length).toBe(responseUrlCitations(final).length)
        const collected = yield* withResponses(
          { baseUrl: mock.url },
          (client) => GrokResponses.collect(client.streamResponse(search("Solar energy record")))
        )
        expect(responseText(collected)).toBe(text)
        expect((mock.requests[0]!.body as { stream: boolean }).stream).toBe(true)
      }))

    it.effect("function tools: a function_call, then an answer from its function_call_output", () =>
      Effect.gen(function*() {
        const mock = yield* MockServer.start()
        yield* withResponses({ baseUrl: mock.url }, (client) =>
          Effect.gen(function*() {
            const first = yield* client.createResponse({
              model: "grok-4.3",
              input: "Weather in Paris?",
              tools: [weatherTool, { type: "web_search" }]
            })
            const [call] = responseFunctionCalls(first)
            expect(call).toMatchObject({ name: "get_weather", arguments: "{\"city\":\"Paris\"}" })
            const streamed = yield* GrokResponses.collect(client.streamResponse({
              model: "grok-4.3",
              input: [
                { role: "user", content: "Weather in Paris?" },
                { type: "function_call", call_id: call!.call_id, name: call!.name, arguments: call!.arguments },
                { type: "function_call_output", call_id: call!.call_id, output: "18 degrees" }
              ],
              tools: [weatherTool]
            }))
            expect(responseText(streamed)).toBe("Based on the tool results: get_weather: 18 degrees")
          }))
      }))

    it.effect("refuses what xAI would refuse before sending: unknown keys, limits, exclusive filters", () =>
      Effect.gen(function*() {
        const mock = yield* MockServer.start()
        yield* withResponses({ baseUrl: mock.url }, (client) =>
          Effect.gen(function*() {
            const unknownKey = yield* grokError(
              client.createResponse(
                { ...search("x"), search_parameters: { mode: "on" } } as unknown as ResponsesRequest
              )
            )
            expect(unknownKey.reason._tag).toBe("InvalidRequest")
            expect(unknownKey.message).toContain("search_parameters")
            const exclusive = yield* grokError(client.createResponse(search("x", {
              tools: [{ type: "web_search", allowed_domains: ["a.com"], excluded_domains: ["b.com"] }]
            })))
            expect(exclusive.message).toContain("cannot be used together")
            const choice = yield* grokError(
              client.createResponse(search("x", { tool_choice: { type: "function", name: "web_search" } }))
            )
            expect(choice.reason._tag).toBe("UnsupportedParameter")
            expect(mock.requestCount).toBe(0)
          }))
      }))

    it.effect("xAI's answers become typed reasons: 401, 422, 404", () =>
      Effect.gen(function*() {
        const mock = yield* MockServer.start({ apiKey: "right" })
        const wrongKey = yield* grokError(
          withResponses({ baseUrl: mock.url }, (client) => client.createResponse(search("x")))
        )
        expect(wrongKey.reason._tag).toBe("HttpStatusError")
        const unvalidated = yield* grokError(withResponses(
          { baseUrl: mock.url, validateRequests: false },
          (client) => client.createResponse({ model: "grok-4.3", input: "x", bogus: 1 } as unknown as ResponsesRequest)
        ))
        expect(unvalidated.reason).toMatchObject({ _tag: "HttpStatusError", status: 400 })
        const open = yield* MockServer.start()
        const unknownModel = yield* grokError(
          withResponses({ baseUrl: open.url }, (client) => client.createResponse({ model: "grok-0", input: "x" }))
        )
        expect(unknownModel.reason).toMatchObject({ _tag: "HttpStatusError", status: 404, kind: "NotFound" })
        const schema = yield* grokError(withResponses(
          { baseUrl: open.url, validateRequests: false },
          (client) => client.createResponse({ model: "grok-4.3", input: "x", bogus: 1 } as unknown as ResponsesRequest)
        ))
        expect(schema.reason).toMatchObject({ _tag: "HttpStatusError", status: 422, kind: "Unprocessable" })
        const noKey = yield* grokError(withResponses(
          { baseUrl: open.url, transformClient: withHeaders({ authorization: "" }) },
          (client) => client.createResponse(search("x"))
        ))
        expect(noKey.reason).toMatchObject({ _tag: "HttpStatusError", status: 401, kind: "Authentication" })
      }))

    it.live("retries a rate limit, honouring retry-after-ms; never retries a stream after its first event", () =>
      Effect.gen(function*() {
        const mock = yield* MockServer.start()
        mock.setFaults({ next: [MockFault.rateLimit({ retryAfterMs: 5, retryAfterSeconds: undefined })] })
        const response = yield* withResponses({ baseUrl: mock.url }, (client) => client.createResponse(search("solar")))
        expect(response.status).toBe("completed")
        expect(mock.requestCount).toBe(2)

        mock.reset()
        mock.enqueue(MockScript.fault(MockFault.errorInStream({ after: 3 })))
        const inStream = yield* grokError(
          withResponses({ baseUrl: mock.url }, (client) => Stream.runDrain(client.streamResponse(search("solar"))))
        )
        expect(inStream.reason).toMatchObject({ _tag: "ErrorInResponse", inStream: true })
        expect(mock.requestCount).toBe(1)

        mock.reset()
        mock.enqueue(MockScript.fault(MockFault.truncate()))
        const truncated = yield* grokError(
          withResponses({ baseUrl: mock.url }, (client) => Stream.runDrain(client.streamResponse(search("solar"))))
        )
        expect(truncated.reason).toMatchObject({ _tag: "StreamError", kind: "Truncated" })
        expect(mock.requestCount).toBe(1)
      }))

    it.effect("a key echoed back by the server appears in no error", () =>
      Effect.gen(function*() {
        const echo = yield* testServer((request, response) => {
          response.writeHead(401, { "content-type": "application/json" })
          response.end(JSON.stringify({ code: "unauthenticated", error: `bad key: ${request.headers.authorization}` }))
        })
        const error = yield* grokError(
          withResponses({ baseUrl: echo.origin }, (client) => client.createResponse(search("x")))
        )
        expect(error.message).toContain("<redacted>")
        expect(JSON.stringify(error)).not.toContain(Redacted.value(TEST_KEY))
        expect(String(error)).not.toContain(Redacted.value(TEST_KEY))
      }))

    it.effect("a conversation id is sent as prompt_cache_key", () =>
      Effect.gen(function*() {
        const mock = yield* MockServer.start()
        yield* withResponses(
          { baseUrl: mock.url, conversationId: "conv-1" },
          (client) => client.createResponse(search("solar"))
        )
        expect((mock.requests[0]!.body as { prompt_cache_key: string }).prompt_cache_key).toBe("conv-1")
      }))
  })

  describe("xAI's real captures", () => {
    it.effect("A8: a web_search response decodes, with its five url_citation annotations and usage", () =>
      Effect.gen(function*() {
        const server = yield* jsonServer(a8WebSearchResponse)
        const response = yield* withResponses(
          { baseUrl: server.origin },
          (client) => client.createResponse(search("what is xAI"))
        )
        expect(response.id).toBe("25de2f84-163c-6e9e-e42e-cd1dbd6f9ed0")
        expect(responseServerToolCalls(response)).toEqual([{
          arguments: "{\"query\":\"what is xAI\",\"num_results\":5}",
          call_id: "",
          name: "web_search",
          type: "web_search_call",
          id: "fc_25de2f84-163c-6e9e-e42e-cd1dbd6f9ed0_0",
          status: "completed"
        }])
        expect(responseUrlCitations(response).map((citation) => citation.url)).toEqual([
          "https://www.ibm.com/think/topics/explainable-ai",
          "https://x.ai/company",
          "https://en.wikipedia.org/wiki/XAI_%28company%29",
          "https://x.ai/",
          "https://www.owkin.com/a-z-of-ai-for-healthcare/xai"
        ])
        expect(responseText(response)).toMatch(/^xAI is an American artificial intelligence company/)
        expect(response.usage).toMatchObject({
          input_tokens: 1941,
          output_tokens: 583,
          total_tokens: 2524,
          num_server_side_tools_used: 1,
          input_tokens_details: { cached_tokens: 947 },
          output_tokens_details: { reasoning_tokens: 380 }
        })
      }))

    it.effect("A9: the streamed capture decodes, with and without `event:` lines; collect gives the final response", () =>
      Effect.gen(function*() {
        for (const eventLines of [false, true]) {
          const server = yield* sseServer(a9WebSearchEventLines, { eventLines })
          const events = yield* withResponses(
            { baseUrl: server.origin },
            (client) => Stream.runCollect(client.streamResponse(search("what is xAI")))
          )
          expect(events.map((event) => event.type)).toEqual([
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.output_item.done",
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.annotation.added",
            "response.completed"
          ])
          const final = yield* withResponses(
            { baseUrl: server.origin },
            (client) => GrokResponses.collect(client.streamResponse(search("what is xAI")))
          )
          expect(responseUrlCitations(final)).toHaveLength(5)
          expect(final.usage?.num_server_side_tools_used).toBe(1)
        }
      }))

    it.effect("A10: an x_search_call item (x_semantic_search, dates in the arguments) decodes", () =>
      Effect.gen(function*() {
        const server = yield* jsonServer(a10XSearchResponse)
        const response = yield* withResponses(
          { baseUrl: server.origin },
          (client) => client.createResponse(search("AI"))
        )
        const [call] = responseServerToolCalls(response)
        expect(call).toMatchObject({ type: "x_search_call", name: "x_semantic_search", call_id: "" })
        expect(JSON.parse(call!.arguments!)).toMatchObject({ from_date: "2025-10-01", to_date: "2025-10-29" })
        expect(response.id).toBe("84c1a8ea-1f29-4a33-1049-0ed3561b0f64_us-east-1")
      }))

    it.effect("tolerant: unknown item, content and event types decode; a known type with a wrong shape fails", () =>
      Effect.gen(function*() {
        const capture = JSON.parse(a8WebSearchResponse)
        capture.output.push({ type: "code_interpreter_call", id: "ci_1", status: "completed", code: "1+1" })
        capture.output.push({ type: "brand_new_item", id: "n_1", whatever: [1, 2] })
        capture.output[1].content.push({ type: "audio", data: "..." })
        capture.output[1].content[0].annotations.push({ type: "file_citation", file_id: "f" })
        capture.future_field = { nested: true }
        const tolerant = yield* jsonServer(JSON.stringify(capture))
        const response = yield* withResponses(
          { baseUrl: tolerant.origin },
          (client) => client.createResponse(search("x"))
        )
        expect(response.output.map((item) => item.type)).toEqual([
          "web_search_call",
          "message",
          "code_interpreter_call",
          "brand_new_item"
        ])
        expect(responseUrlCitations(response)).toHaveLength(5)
        const unknownEvent = JSON.stringify({ sequence_number: 7, type: "response.something_new", detail: 1 })
        const streamServer = yield* sseServer([
          ...a9WebSearchEventLines.slice(0, 2),
          unknownEvent,
          ...a9WebSearchEventLines.slice(2)
        ])
        const events = yield* withResponses(
          { baseUrl: streamServer.origin },
          (client) => Stream.runCollect(client.streamResponse(search("x")))
        )
        expect(events.map((event) => event.type)).toContain("response.something_new")
        const broken = JSON.parse(a8WebSearchResponse)
        delete broken.output[1].content
        const strict = yield* jsonServer(JSON.stringify(broken))
        const error = yield* grokError(
          withResponses({ baseUrl: strict.origin, maxRetries: 0 }, (client) => client.createResponse(search("x")))
        )
        expect(error.reason._tag).toBe("InvalidResponse")
      }))

    it.effect("a response.failed event, an error event, a failed JSON response and an in-band error body fail typed", () =>
      Effect.gen(function*() {
        const created = a9WebSearchEventLines[0]!
        const failedResponse = {
          ...JSON.parse(a8WebSearchResponse),
          status: "failed",
          error: { code: "x", message: "boom" }
        }
        const failed = yield* sseServer([
          created,
          JSON.stringify({ type: "response.failed", response: failedResponse })
        ])
        const failure = yield* grokError(withResponses(
          { baseUrl: failed.origin, maxRetries: 0 },
          (client) => Stream.runDrain(client.streamResponse(search("x")))
        ))
        expect(failure.reason).toMatchObject({ _tag: "ErrorInResponse", serverMessage: "boom", inStream: true })
        const errorEvent = yield* sseServer([
          created,
          JSON.stringify({ type: "error", code: "rate", message: "slow down" })
        ])
        const streamed = yield* grokError(withResponses(
          { baseUrl: errorEvent.origin, maxRetries: 0 },
          (client) => Stream.runDrain(client.streamResponse(search("x")))
        ))
        expect(streamed.reason).toMatchObject({ _tag: "ErrorInResponse", serverMessage: "slow down" })
        const failedJson = yield* jsonServer(JSON.stringify(failedResponse))
        const json = yield* grokError(withResponses(
          { baseUrl: failedJson.origin, maxRetries: 0 },
          (client) => client.createResponse(search("x"))
        ))
        expect(json.reason).toMatchObject({ _tag: "ErrorInResponse", serverMessage: "boom" })
        const inBand = yield* jsonServer(
          JSON.stringify({ code: "The service is currently unavailable", error: "Timed out waiting for first token" })
        )
        const overloaded = yield* grokError(withResponses(
          { baseUrl: inBand.origin, maxRetries: 0 },
          (client) => client.createResponse(search("x"))
        ))
        expect(overloaded.reason).toMatchObject({ _tag: "ErrorInResponse", inStream: false })
        expect(overloaded.isRetryable).toBe(true)
      }))
  })
})
