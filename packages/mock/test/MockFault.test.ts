import { assert, describe, it, layer } from "@effect/vitest"
import { MockFault, MockGrok, MockScript, MockServer } from "@grokit/mock"
import { Effect, Result } from "effect"
import { ask, chat, parseEvents, parseJson, readFor, send } from "./support/Http.ts"

const streaming = ask("one two three four five six", { stream: true, stream_options: { include_usage: true } })
// "You said: one two three four five six" = 8 content chunks, then finish, usage, [DONE]
const CONTENT_CHUNKS = 8

const fault = (value: string) => ({ [MockFault.headerName]: value })

const elapsed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const started = Date.now()
    const value = yield* effect
    return [value, Date.now() - started] as const
  })

layer(MockGrok.layer())("MockFault over HTTP", (it) => {
  const url = Effect.map(MockGrok, (mock) => {
    mock.reset()
    return mock.url
  })

  it.effect("rate-limit: 429 with Retry-After, retry-after-ms, or neither", () =>
    Effect.gen(function*() {
      const base = yield* url
      const plain = yield* chat(base, ask("hi"), fault("rate-limit"))
      assert.strictEqual(plain.status, 429)
      assert.strictEqual(plain.headers.get("retry-after"), "1")
      assert.strictEqual(parseJson(plain).code, "Some resource has been exhausted")
      assert.notInclude(parseJson(plain).error, "credits")
      const both = yield* chat(base, ask("hi"), fault("rate-limit;retry-after=3;retry-after-ms=2500"))
      assert.strictEqual(both.headers.get("retry-after"), "3")
      assert.strictEqual(both.headers.get("retry-after-ms"), "2500")
      const milliseconds = yield* chat(base, ask("hi"), fault("rate-limit;retry-after-ms=250"))
      assert.strictEqual(milliseconds.headers.get("retry-after"), null)
      assert.strictEqual(milliseconds.headers.get("retry-after-ms"), "250")
      const none = yield* chat(base, ask("hi"), fault("rate-limit;retry-after=none"))
      assert.strictEqual(none.status, 429)
      assert.strictEqual(none.headers.get("retry-after"), null)
      assert.strictEqual(none.headers.get("retry-after-ms"), null)
    }))

  it.effect("quota: 429 saying the credits or spending limit are used up, without Retry-After", () =>
    Effect.gen(function*() {
      const answer = yield* chat(yield* url, ask("hi"), fault("quota"))
      assert.strictEqual(answer.status, 429)
      assert.strictEqual(answer.headers.get("retry-after"), null)
      assert.include(
        parseJson(answer).error,
        "has either used all available credits or reached its monthly spending limit"
      )
    }))

  it.effect("server-error: 500 by default, 503 on request", () =>
    Effect.gen(function*() {
      const base = yield* url
      const internal = yield* chat(base, ask("hi"), fault("server-error"))
      assert.strictEqual(internal.status, 500)
      assert.deepStrictEqual(Object.keys(parseJson(internal)), ["code", "error"])
      const unavailable = yield* chat(base, ask("hi"), fault("server-error;status=503"))
      assert.strictEqual(unavailable.status, 503)
      assert.strictEqual(parseJson(unavailable).code, "The service is currently unavailable")
    }))

  it.effect("error-200: HTTP 200 with a JSON error body, even for a stream request", () =>
    Effect.gen(function*() {
      const answer = yield* chat(yield* url, streaming, fault("error-200"))
      assert.strictEqual(answer.status, 200)
      assert.strictEqual(answer.headers.get("content-type"), "application/json")
      assert.strictEqual(
        answer.text,
        "{\"code\":\"The service is currently unavailable\",\"error\":\"Timed out waiting for first token\"}"
      )
    }))

  it.effect("error-in-stream: some chunks, then an error event, and no [DONE]", () =>
    Effect.gen(function*() {
      const answer = yield* chat(yield* url, streaming, fault("error-in-stream;after=3"))
      assert.strictEqual(answer.status, 200)
      const { chunks, done } = parseEvents(answer.text)
      assert.isFalse(done)
      assert.strictEqual(chunks.length, 4)
      assert.strictEqual(chunks[0].choices[0].delta.role, "assistant")
      assert.deepStrictEqual(chunks[3], {
        code: "The service is currently unavailable",
        error: "Timed out waiting for the next token"
      })
    }))

  it.effect("stall-before-headers: answers after ms, or never", () =>
    Effect.gen(function*() {
      const base = yield* url
      const [late, duration] = yield* elapsed(chat(base, ask("hi"), fault("stall-before-headers;ms=120")))
      assert.strictEqual(late.status, 200)
      assert.isAtLeast(duration, 110)
      const never = yield* Effect.promise(() =>
        fetch(`${base}/chat/completions`, {
          method: "POST",
          headers: { authorization: "Bearer k", ...fault("stall-before-headers") },
          body: JSON.stringify(ask("hi")),
          signal: AbortSignal.timeout(150)
        }).then(() => "answered", (error: Error) => error.name)
      )
      assert.strictEqual(never, "TimeoutError")
    }))

  it.effect("stall-mid-stream: some chunks, then silence with the connection open", () =>
    Effect.gen(function*() {
      const { text, ended } = yield* readFor(yield* url, streaming, fault("stall-mid-stream;after=2"), 150)
      assert.strictEqual(ended, "open")
      const { chunks, done } = parseEvents(text)
      assert.isFalse(done)
      assert.strictEqual(chunks.length, 2)
    }))

  it.effect("drop-mid-stream: some chunks, then the socket is destroyed", () =>
    Effect.gen(function*() {
      const { text, ended } = yield* readFor(yield* url, streaming, fault("drop-mid-stream"), 1000)
      assert.strictEqual(ended, "error")
      assert.strictEqual(parseEvents(text).chunks.length, 2) // default after=2
    }))

  it.effect("truncate: a clean end without finish chunk, usage or [DONE]", () =>
    Effect.gen(function*() {
      const answer = yield* chat(yield* url, streaming, fault("truncate"))
      const { chunks, done } = parseEvents(answer.text)
      assert.isFalse(done)
      assert.strictEqual(chunks.length, CONTENT_CHUNKS)
      assert.isTrue(chunks.every((chunk) => chunk.choices[0].finish_reason === undefined && !chunk.usage))
    }))

  it.effect("caps `after` so that the fault comes before the finish chunk", () =>
    Effect.gen(function*() {
      const answer = yield* chat(yield* url, streaming, fault("truncate;after=99"))
      assert.strictEqual(parseEvents(answer.text).chunks.length, CONTENT_CHUNKS)
    }))

  it.effect("slow-tokens: a delay between stream events", () =>
    Effect.gen(function*() {
      const [answer, duration] = yield* elapsed(
        chat(yield* url, ask("a b", { stream: true }), fault("slow-tokens;ms=30"))
      )
      // "You said: a b": 4 content chunks + finish + [DONE] = 6 events, 5 gaps
      assert.isAtLeast(duration, 140)
      assert.isTrue(parseEvents(answer.text).done)
    }))

  it.effect("breaks a JSON body under stream faults", () =>
    Effect.gen(function*() {
      const base = yield* url
      const truncated = yield* chat(base, ask("hi"), fault("truncate"))
      assert.strictEqual(truncated.status, 200)
      assert.throws(() => JSON.parse(truncated.text))
      const dropped = yield* Effect.promise(() =>
        fetch(`${base}/chat/completions`, {
          method: "POST",
          headers: { authorization: "Bearer k", ...fault("drop-mid-stream") },
          body: JSON.stringify(ask("hi"))
        }).then((response) => response.text()).then(() => "read", () => "failed")
      )
      assert.strictEqual(dropped, "failed")
      const inBand = yield* chat(base, ask("hi"), fault("error-in-stream"))
      assert.strictEqual(parseJson(inBand).error, "Timed out waiting for first token")
    }))

  it.effect("applies header faults to the models routes too", () =>
    Effect.gen(function*() {
      const base = yield* url
      const answer = yield* send(`${base}/models`, { headers: { authorization: "Bearer k", ...fault("server-error") } })
      assert.strictEqual(answer.status, 500)
    }))

  it.effect("400 naming an unknown fault or parameter", () =>
    Effect.gen(function*() {
      const base = yield* url
      const unknown = yield* chat(base, ask("hi"), fault("rate-limt"))
      assert.strictEqual(unknown.status, 400)
      assert.include(parseJson(unknown).error, "unknown fault 'rate-limt'")
      const parameter = yield* chat(base, ask("hi"), fault("truncate;afterr=1"))
      assert.include(parseJson(parameter).error, "unknown parameter 'afterr'")
    }))

  it.effect("a per-server plan: next faults in order, then every request", () =>
    Effect.gen(function*() {
      const mock = yield* MockGrok
      mock.reset()
      mock.setFaults({ next: [MockFault.rateLimit(), MockFault.serverError(503)] })
      assert.strictEqual((yield* chat(mock.url, ask("hi"))).status, 429)
      assert.strictEqual((yield* send(`${mock.url}/models`)).status, 200) // the plan is for chat requests
      assert.strictEqual((yield* chat(mock.url, ask("hi"))).status, 503)
      assert.strictEqual((yield* chat(mock.url, ask("hi"))).status, 200)
      mock.setFaults({ every: [MockFault.error200()] })
      for (let index = 0; index < 3; index++) {
        assert.strictEqual(parseJson(yield* chat(mock.url, ask("hi"))).code, "The service is currently unavailable")
      }
      mock.setFaults()
      assert.strictEqual((yield* chat(mock.url, ask("hi"))).status, 200)
    }))

  it.effect("a scripted fault applies to the request that takes it, with the policy's answer", () =>
    Effect.gen(function*() {
      const mock = yield* MockGrok
      mock.reset()
      mock.enqueue(MockScript.fault(MockFault.truncate({ after: 1 })), MockScript.fault(MockFault.quota()))
      const truncated = parseEvents((yield* chat(mock.url, streaming)).text)
      assert.isFalse(truncated.done)
      assert.strictEqual(truncated.chunks[0].choices[0].delta.content, "You")
      assert.strictEqual(truncated.chunks.length, 1)
      assert.strictEqual((yield* chat(mock.url, ask("hi"))).status, 429)
      assert.strictEqual((yield* chat(mock.url, ask("hi"))).status, 200)
    }))
})

describe("MockFault", () => {
  it("formats and parses every fault", () => {
    const faults: ReadonlyArray<MockFault.Fault> = [
      MockFault.rateLimit(),
      MockFault.rateLimit({ retryAfterSeconds: 2, retryAfterMs: 1500 }),
      MockFault.rateLimit({ retryAfterSeconds: undefined }),
      MockFault.quota(),
      MockFault.serverError(503),
      MockFault.error200("busy, try later; really"),
      MockFault.errorInStream({ after: 1 }),
      MockFault.stallBeforeHeaders(),
      MockFault.stallBeforeHeaders({ ms: 20 }),
      MockFault.stallMidStream(),
      MockFault.dropMidStream({ after: 0 }),
      MockFault.truncate(),
      MockFault.slowTokens(5)
    ]
    for (const one of faults) {
      assert.deepStrictEqual(Result.getOrThrow(MockFault.parse(MockFault.format(one))), [one])
    }
    assert.deepStrictEqual(Result.getOrThrow(MockFault.parse(MockFault.formatAll(faults))), faults)
    assert.deepStrictEqual(MockFault.names.length, 10)
  })

  it("refuses bad parameter values", () => {
    assert.isTrue(Result.isFailure(MockFault.parse("slow-tokens;ms=-1")))
    assert.isTrue(Result.isFailure(MockFault.parse("truncate;after=many")))
  })

  it.effect("latencyMs and tokenDelayMs options slow every chat answer", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start({ latencyMs: 60, tokenDelayMs: 20 })
      const [json, jsonDuration] = yield* elapsed(chat(mock.url, ask("hi")))
      assert.strictEqual(json.status, 200)
      assert.isAtLeast(jsonDuration, 50)
      const [, streamDuration] = yield* elapsed(chat(mock.url, ask("a", { stream: true })))
      // latency + 4 gaps (3 content chunks, finish, [DONE])
      assert.isAtLeast(streamDuration, 60 + 4 * 20 - 10)
    }))
})
