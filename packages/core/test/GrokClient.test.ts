/**
 * `GrokClient` over real loopback sockets (undici) against the mock server: happy paths, what
 * the client sends, and the attempt budget of each failure. The retry policy itself (every
 * status × hint × `x-should-retry`) is covered with a fake HttpClient in RetryPolicy.test.ts;
 * here each case is checked end to end, counting the requests the server really received.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  type ChatCompletion,
  type ChatCompletionRequest,
  costInUsDollars,
  GrokClient,
  type GrokError
} from "@grokit/core"
import { MockFault, MockScript, MockServer } from "@grokit/mock"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import {
  closedPort,
  countAttempts,
  driveClock,
  eventually,
  grokError,
  realSleep,
  recordingSleeps,
  testServer,
  withGrok,
  withHeaders
} from "./support/Sockets.ts"

const ask = (content: string, extra?: Partial<ChatCompletionRequest>): ChatCompletionRequest => ({
  model: "grok-4.3",
  messages: [{ role: "user", content }],
  ...extra
})

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather of a city",
    parameters: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] }
  }
}

/** The fields a streamed completion must share with the non-streaming one. */
const shape = (completion: ChatCompletion) => ({
  object: completion.object,
  model: completion.model,
  created: completion.created,
  system_fingerprint: completion.system_fingerprint,
  usage: completion.usage,
  choices: completion.choices.map((choice) => ({
    index: choice.index,
    finish_reason: choice.finish_reason,
    role: choice.message.role,
    content: choice.message.content,
    reasoning_content: choice.message.reasoning_content ?? undefined,
    tool_calls: choice.message.tool_calls?.map((call) => ({
      id: call.id,
      type: call.type,
      function: call.function
    }))
  }))
})

describe("GrokClient over sockets: happy paths", () => {
  it.live("creates a text completion with usage and cost, sending the bearer key", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start({ apiKey: "xai-test-key" })
      const completion = yield* withGrok({ baseUrl: mock.url }, (grok) =>
        grok.createChatCompletion(ask("hello there world")))
      const choice = completion.choices[0]!
      expect(choice.message.content).toBe("You said: hello there world")
      expect(choice.finish_reason).toBe("stop")
      const usage = completion.usage!
      // the mock's documented rules: prompt = 4 + words; completion = words of the answer
      expect(usage.prompt_tokens).toBe(7)
      expect(usage.completion_tokens).toBe(5)
      const reasoning = usage.completion_tokens_details?.reasoning_tokens ?? 0
      expect(reasoning).toBe(15) // grok-4.3 reasons: 10 + completion
      expect(usage.total_tokens).toBe(7 + 5 + 15)
      expect(usage.cost_in_usd_ticks).toBe(2000 * 7 + 5000 * (5 + 15))
      expect(costInUsDollars(usage)).toBeCloseTo((2000 * 7 + 5000 * 20) / 1e10, 15)
      expect(mock.requestCount).toBe(1)
      const recorded = mock.requests[0]!
      expect(recorded.path).toBe("/v1/chat/completions")
      // the mock would have answered 400 to any other key; it never records the header itself
      expect(recorded.headers.authorization).toBeUndefined()
      const body = recorded.body as Record<string, unknown>
      expect(body.stream).toBeUndefined()
      expect(body.stream_options).toBeUndefined()
    }))

  it.live("sends exactly `Authorization: Bearer <key>`", () =>
    Effect.gen(function*() {
      const seen: Array<string | undefined> = []
      const server = yield* testServer((request, response) => {
        seen.push(request.headers.authorization)
        response.writeHead(200, { "content-type": "application/json" })
        response.end(JSON.stringify({ object: "list", data: [] }))
      })
      yield* withGrok({ baseUrl: `${server.origin}/v1` }, (grok) => grok.listModels)
      expect(seen).toEqual(["Bearer xai-test-key"])
    }))

  it.live("creates a tool-call completion (tool calls whole, finish_reason tool_calls)", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      mock.enqueue(MockScript.toolCall("get_weather", { city: "Paris" }))
      const completion = yield* withGrok({ baseUrl: mock.url }, (grok) =>
        grok.createChatCompletion(ask("weather in Paris?", { tools: [weatherTool] })))
      const choice = completion.choices[0]!
      expect(choice.finish_reason).toBe("tool_calls")
      expect(choice.message.tool_calls).toEqual([
        { id: "call_00000001", type: "function", function: { name: "get_weather", arguments: "{\"city\":\"Paris\"}" } }
      ])
      expect(completion.usage!.completion_tokens).toBe(2) // 1 + the words of the arguments
    }))

  const streamCases: ReadonlyArray<readonly [string, () => MockScript.ScriptEntry | undefined, ChatCompletionRequest]> =
    [
      ["text", () => undefined, ask("stream me a few words please")],
      ["tool calls", () => undefined, ask("get weather of city Paris", { tools: [weatherTool] })],
      [
        "two tool calls",
        () => MockScript.toolCalls([{ name: "get_weather", arguments: { city: "Paris" } }, { name: "get_weather" }]),
        ask("weather twice", { tools: [weatherTool] })
      ],
      ["reasoning_content (grok-3-mini)", () => undefined, ask("think about it", { model: "grok-3-mini" })],
      ["n = 2", () => undefined, ask("two choices", { n: 2 })],
      ["finish_reason length", () => undefined, ask("one two three four five six", { max_completion_tokens: 3 })]
    ]
  for (const [name, entry, request] of streamCases) {
    it.live(`stream + collect gives the non-streaming completion: ${name}`, () =>
      Effect.gen(function*() {
        const mock = yield* MockServer.start()
        const [created, collected] = yield* withGrok({ baseUrl: mock.url }, (grok) =>
          Effect.gen(function*() {
            const script = entry()
            if (script !== undefined) mock.enqueue(script)
            const created = yield* grok.createChatCompletion(request)
            mock.reset()
            if (script !== undefined) mock.enqueue(script)
            const collected = yield* GrokClient.collect(grok.streamChatCompletion(request))
            return [created, collected] as const
          }))
        expect(created.usage).toBeDefined()
        expect(shape(collected)).toEqual(shape(created))
        // same counters after reset: even the ids agree
        expect(collected.id).toBe(created.id)
        const recorded = mock.requests[0]!.body as Record<string, unknown>
        expect(recorded.stream).toBe(true)
        expect(recorded.stream_options).toEqual({ include_usage: true })
        expect(mock.requests[0]!.headers.accept).toBe("text/event-stream")
      }))
  }

  it.live("keeps an explicit stream_options", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      const completion = yield* withGrok({ baseUrl: mock.url }, (grok) =>
        GrokClient.collect(grok.streamChatCompletion(ask("no usage", { stream_options: { include_usage: false } }))))
      expect(completion.usage).toBeUndefined()
      expect((mock.requests[0]!.body as Record<string, unknown>).stream_options).toEqual({ include_usage: false })
    }))

  it.live("lists models and reads one; an unknown model is a 404 NotFound after 1 request", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      yield* withGrok({ baseUrl: mock.url }, (grok) =>
        Effect.gen(function*() {
          const list = yield* grok.listModels
          expect(list.data.map((model) => model.id)).toContain("grok-4.3")
          expect(list.data.length).toBe(7)
          const model = yield* grok.getModel("grok-4.3")
          expect(model.id).toBe("grok-4.3")
          const before = mock.requestCount
          const error = yield* grokError(grok.getModel("grok-nope"))
          expect(error.method).toBe("getModel")
          expect(error.reason).toMatchObject({ _tag: "HttpStatusError", kind: "NotFound", status: 404 })
          expect(mock.requestCount - before).toBe(1)
          const chatError = yield* grokError(grok.createChatCompletion(ask("hi", { model: "grok-nope" })))
          expect(chatError.reason).toMatchObject({ _tag: "HttpStatusError", kind: "NotFound" })
        }))
      expect(mock.requests.map((request) => request.path)).toEqual([
        "/v1/models",
        "/v1/models/grok-4.3",
        "/v1/models/grok-nope",
        "/v1/chat/completions"
      ])
    }))

  it.live("sends x-grok-conv-id from the client options, overridden per call", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      yield* withGrok({ baseUrl: mock.url, conversationId: "conv-1" }, (grok) =>
        Effect.gen(function*() {
          yield* grok.createChatCompletion(ask("a"))
          yield* GrokClient.collect(grok.streamChatCompletion(ask("b")))
          yield* grok.createChatCompletion(ask("c"), { conversationId: "conv-2" })
          yield* grok.listModels
        }))
      expect(mock.requests.map((request) => request.headers["x-grok-conv-id"])).toEqual([
        "conv-1",
        "conv-1",
        "conv-2",
        "conv-1"
      ])
      const plain = yield* MockServer.start()
      yield* withGrok({ baseUrl: plain.url }, (grok) => grok.createChatCompletion(ask("a")))
      expect(plain.requests[0]!.headers["x-grok-conv-id"]).toBeUndefined()
    }))
})

describe("GrokClient over sockets: attempt budgets", () => {
  it.effect("persistent 503: exactly 3 requests with the default backoff delays, for every call (TestClock)", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      const calls: ReadonlyArray<
        readonly [string, (grok: GrokClient["Service"]) => Effect.Effect<unknown, GrokError>]
      > = [
        ["createChatCompletion", (grok) => grok.createChatCompletion(ask("hi"))],
        ["streamChatCompletion", (grok) => GrokClient.collect(grok.streamChatCompletion(ask("hi")))],
        ["listModels", (grok) => grok.listModels],
        ["getModel", (grok) => grok.getModel("grok-4.3")]
      ]
      for (const [method, call] of calls) {
        mock.reset()
        const sleeps: Array<number> = []
        const fiber = yield* recordingSleeps(
          sleeps,
          withGrok(
            { baseUrl: mock.url, transformClient: withHeaders({ "x-mock-fault": "server-error;status=503" }) },
            (grok) => grokError(call(grok))
          )
        ).pipe(Effect.forkChild)
        yield* driveClock(fiber, { stepMillis: 100, maxSteps: 1_000 })
        const error = yield* Fiber.join(fiber)
        expect(error.method).toBe(method)
        expect(error.reason).toMatchObject({ _tag: "HttpStatusError", kind: "ServerError", status: 503 })
        expect(mock.requestCount).toBe(3)
        expect(sleeps.length).toBe(2)
        expect(sleeps[0]).toBeGreaterThanOrEqual(375)
        expect(sleeps[0]).toBeLessThanOrEqual(500)
        expect(sleeps[1]).toBeGreaterThanOrEqual(750)
        expect(sleeps[1]).toBeLessThanOrEqual(1000)
      }
    }))

  it.live("persistent 503 with retry-after-ms 0 (real time): exactly 3 requests", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      for (let index = 0; index < 3; index++) {
        mock.enqueue(MockScript.httpError(503, { code: "The service is currently unavailable", error: "busy" }, {
          headers: { "retry-after-ms": "0" }
        }))
      }
      const error = yield* withGrok({ baseUrl: mock.url }, (grok) =>
        grokError(GrokClient.collect(grok.streamChatCompletion(ask("hi")))))
      expect(error.reason).toMatchObject({ _tag: "HttpStatusError", status: 503, serverMessage: "busy" })
      expect(error.partial).toBeUndefined()
      expect(mock.requestCount).toBe(3)
    }))

  it.live("maxRetries is the budget: 0 gives 1 request, 4 gives 5", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start({ faults: { every: [MockFault.rateLimit({ retryAfterMs: 0 })] } })
      yield* withGrok({ baseUrl: mock.url, maxRetries: 0 }, (grok) => grokError(grok.createChatCompletion(ask("x"))))
      expect(mock.requestCount).toBe(1)
      mock.reset()
      yield* withGrok({ baseUrl: mock.url, maxRetries: 4 }, (grok) => grokError(grok.createChatCompletion(ask("x"))))
      expect(mock.requestCount).toBe(5)
    }))

  for (
    const [status, kind] of [[400, "BadRequest"], [401, "Authentication"], [403, "PermissionDenied"], [
      404,
      "NotFound"
    ], [422, "Unprocessable"]] as const
  ) {
    it.live(`${status}: 1 request, ${kind}, for create and stream`, () =>
      Effect.gen(function*() {
        const mock = yield* MockServer.start()
        const body = { code: "Client specified an invalid argument", error: `status ${status}` }
        mock.enqueue(MockScript.httpError(status, body), MockScript.httpError(status, body))
        yield* withGrok({ baseUrl: mock.url }, (grok) =>
          Effect.gen(function*() {
            const created = yield* grokError(grok.createChatCompletion(ask("x")))
            expect(created.reason).toMatchObject({ _tag: "HttpStatusError", kind, status, serverMessage: body.error })
            expect(created.isRetryable).toBe(false)
            const streamed = yield* grokError(GrokClient.collect(grok.streamChatCompletion(ask("x"))))
            expect(streamed.reason).toMatchObject({ _tag: "HttpStatusError", kind, status })
          }))
        expect(mock.requestCount).toBe(2)
      }))
  }

  it.live("the mock's own validation errors (validateRequests: false): 400, 404, 422 after 1 request each", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      const cases: ReadonlyArray<readonly [ChatCompletionRequest, number]> = [
        [ask("x", { stop: ["end"] }), 400], // stop on a reasoning model
        [ask("x", { model: "grok-unknown" }), 404],
        [ask("x", { temperature: 7 }), 422]
      ]
      for (const [request, status] of cases) {
        mock.reset()
        const error = yield* withGrok(
          { baseUrl: mock.url, validateRequests: false },
          (grok) => grokError(grok.createChatCompletion(request))
        )
        expect(error.reason).toMatchObject({ _tag: "HttpStatusError", status })
        expect(mock.requestCount).toBe(1)
      }
    }))

  it.live("validate: false skips the check of one call: temperature 3 goes out, and the 422 is Unprocessable", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      const request = ask("x", { temperature: 3 })
      yield* withGrok({ baseUrl: mock.url }, (grok) =>
        Effect.gen(function*() {
          // Checked (the default): refused before sending.
          const checked = yield* grokError(grok.createChatCompletion(request))
          expect(checked.reason._tag).toBe("InvalidRequest")
          const checkedStream = yield* grokError(GrokClient.collect(grok.streamChatCompletion(request)))
          expect(checkedStream.reason._tag).toBe("InvalidRequest")
          expect(mock.requestCount).toBe(0)
          // Unchecked: sent as is, and the server's refusal is mapped as usual.
          const sent = yield* grokError(grok.createChatCompletion(request, { validate: false }))
          expect(sent.reason).toMatchObject({ _tag: "HttpStatusError", kind: "Unprocessable", status: 422 })
          expect(sent.isRetryable).toBe(false)
          expect(mock.requestCount).toBe(1)
          expect(mock.requests[0]?.body).toMatchObject({ temperature: 3 })
          const streamed = yield* grokError(
            GrokClient.collect(grok.streamChatCompletion(request, { validate: false }))
          )
          expect(streamed.reason).toMatchObject({ _tag: "HttpStatusError", kind: "Unprocessable", status: 422 })
          expect(mock.requestCount).toBe(2)
          // validate: true checks, as the default does.
          const again = yield* grokError(grok.createChatCompletion(request, { validate: true }))
          expect(again.reason._tag).toBe("InvalidRequest")
          expect(mock.requestCount).toBe(2)
        }))
    }))

  it.live("429 with Retry-After 0 / retry-after-ms 0: retried, then succeeds", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      yield* withGrok({ baseUrl: mock.url }, (grok) =>
        Effect.gen(function*() {
          mock.setFaults({ next: [MockFault.rateLimit({ retryAfterSeconds: 0 })] })
          const first = yield* grok.createChatCompletion(ask("one"))
          expect(first.choices[0]!.message.content).toBe("You said: one")
          expect(mock.requestCount).toBe(2)
          mock.reset()
          mock.setFaults({
            next: [MockFault.rateLimit({ retryAfterMs: 0 }), MockFault.rateLimit({ retryAfterMs: 0 })]
          })
          const second = yield* GrokClient.collect(grok.streamChatCompletion(ask("two")))
          expect(second.choices[0]!.message.content).toBe("You said: two")
          expect(mock.requestCount).toBe(3)
        }))
    }))

  it.effect("429 with Retry-After 5: the next attempt waits exactly 5 s (TestClock)", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      mock.setFaults({ next: [MockFault.rateLimit({ retryAfterSeconds: 5 })] })
      const sleeps: Array<number> = []
      const fiber = yield* recordingSleeps(
        sleeps,
        withGrok({ baseUrl: mock.url }, (grok) => grok.createChatCompletion(ask("patience")))
      ).pipe(Effect.forkChild)
      yield* eventually(() => sleeps.length === 1, "the retry sleep")
      expect(sleeps).toEqual([5000])
      yield* TestClock.adjust(4999)
      yield* realSleep(20)
      expect(mock.requestCount).toBe(1)
      yield* TestClock.adjust(1)
      const completion = yield* Fiber.join(fiber)
      expect(completion.choices[0]!.message.content).toBe("You said: patience")
      expect(mock.requestCount).toBe(2)
    }))

  it.live("quota 429: 1 request, QuotaExhausted, not retryable", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start({ faults: { every: [MockFault.quota()] } })
      yield* withGrok({ baseUrl: mock.url }, (grok) =>
        Effect.gen(function*() {
          const error = yield* grokError(grok.createChatCompletion(ask("x")))
          expect(error.reason._tag).toBe("QuotaExhausted")
          expect(error.isRetryable).toBe(false)
          const streamed = yield* grokError(GrokClient.collect(grok.streamChatCompletion(ask("x"))))
          expect(streamed.reason._tag).toBe("QuotaExhausted")
        }))
      expect(mock.requestCount).toBe(2)
    }))

  it.live("search_parameters: refused before sending (0 requests); without validation the 410 maps the same", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      const request = ask("news?", { search_parameters: { mode: "auto" } } as Partial<ChatCompletionRequest>)
      const preflight = yield* withGrok(
        { baseUrl: mock.url },
        (grok) =>
          Effect.all([
            grokError(grok.createChatCompletion(request)),
            grokError(GrokClient.collect(grok.streamChatCompletion(request)))
          ])
      )
      for (const error of preflight) {
        expect(error.reason._tag).toBe("LiveSearchRemoved")
        expect((error.reason as { readonly serverMessage?: string }).serverMessage).toBeUndefined()
      }
      expect(mock.requestCount).toBe(0)
      const served = yield* withGrok(
        { baseUrl: mock.url, validateRequests: false },
        (grok) =>
          Effect.all([
            grokError(grok.createChatCompletion(request)),
            grokError(GrokClient.collect(grok.streamChatCompletion(request)))
          ])
      )
      for (const error of served) {
        expect(error.reason._tag).toBe("LiveSearchRemoved")
        expect(error.reason).toMatchObject({ serverMessage: expect.stringMatching(/Live search is deprecated/) })
        expect(error.isRetryable).toBe(false)
      }
      expect(mock.requestCount).toBe(2)
    }))

  it.effect("HTTP 200 with an error body: ErrorInResponse, retried, then a success (TestClock)", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      mock.setFaults({ next: [MockFault.error200(), MockFault.error200()] })
      const fiber = yield* withGrok({ baseUrl: mock.url }, (grok) => grok.createChatCompletion(ask("finally"))).pipe(
        Effect.forkChild
      )
      yield* driveClock(fiber, { stepMillis: 100, maxSteps: 1_000 })
      const completion = yield* Fiber.join(fiber)
      expect(completion.choices[0]!.message.content).toBe("You said: finally")
      expect(mock.requestCount).toBe(3)
    }))

  it.effect("HTTP 200 with an error body, persistent: 3 requests then ErrorInResponse (create and stream)", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start({ faults: { every: [MockFault.error200()] } })
      const fiber = yield* withGrok({ baseUrl: mock.url }, (grok) =>
        Effect.all([
          grokError(grok.createChatCompletion(ask("x"))),
          grokError(GrokClient.collect(grok.streamChatCompletion(ask("x"))))
        ])).pipe(Effect.forkChild)
      yield* driveClock(fiber, { stepMillis: 100, maxSteps: 1_000 })
      const [created, streamed] = yield* Fiber.join(fiber)
      for (const error of [created, streamed]) {
        expect(error.reason).toMatchObject({
          _tag: "ErrorInResponse",
          inStream: false,
          serverMessage: "Timed out waiting for first token",
          code: "The service is currently unavailable"
        })
      }
      expect(mock.requestCount).toBe(6)
    }))

  it.effect("connection refused: TransportError after exactly 3 attempts (TestClock)", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const counter = { attempts: 0 }
      const sleeps: Array<number> = []
      const fiber = yield* recordingSleeps(
        sleeps,
        withGrok(
          { baseUrl: `http://127.0.0.1:${port}/v1`, transformClient: countAttempts(counter) },
          (grok) => grokError(grok.createChatCompletion(ask("anyone?")))
        )
      ).pipe(Effect.forkChild)
      yield* driveClock(fiber, { stepMillis: 100, maxSteps: 1_000 })
      const error = yield* Fiber.join(fiber)
      expect(error.reason._tag).toBe("TransportError")
      expect(error.reason.message).toMatch(/POST \/v1\/chat\/completions/)
      expect(error.isRetryable).toBe(true)
      expect(counter.attempts).toBe(3)
      expect(sleeps.length).toBe(2)
    }))

  it.live("connection refused on a stream, maxRetries 0: 1 attempt, TransportError", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const counter = { attempts: 0 }
      const error = yield* withGrok(
        { baseUrl: `http://127.0.0.1:${port}/v1`, maxRetries: 0, transformClient: countAttempts(counter) },
        (grok) => grokError(GrokClient.collect(grok.streamChatCompletion(ask("anyone?"))))
      )
      expect(error.reason._tag).toBe("TransportError")
      expect(error.reason.message).toMatch(/ECONNREFUSED/)
      expect(counter.attempts).toBe(1)
    }))
})
