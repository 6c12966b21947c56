import { describe, expect, it } from "@effect/vitest"
import { GrokClient, GrokError, RetryPolicy } from "@grokit/core"
import { Effect, Fiber, Layer, Random, Redacted } from "effect"
import { HttpClient, HttpClientResponse } from "effect/http"
import { TestClock } from "effect/testing"

const completionBody = JSON.stringify({
  id: "ok",
  object: "chat.completion",
  created: 1,
  model: "grok-4.3",
  choices: [{ index: 0, message: { role: "assistant", content: "fine" }, finish_reason: "stop" }]
})

/** A fake HTTP client answering every request with the same status, headers and body; counts attempts. */
const fakeHttp = (status: number, headers: Record<string, string>, body: string) => {
  const state = { attempts: 0 }
  const client = HttpClient.make((request) =>
    Effect.sync(() => {
      state.attempts++
      return HttpClientResponse.fromWeb(
        request,
        new Response(body, { status, headers: { "content-type": "application/json", ...headers } })
      )
    })
  )
  return { state, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

const FixedRandom = (value: number) =>
  Layer.succeed(Random.Random, { nextDoubleUnsafe: () => value, nextIntUnsafe: () => 0 })

const request = { model: "grok-4.3", messages: [{ role: "user" as const, content: "hi" }] }

const statuses = [200, 400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504, 529] as const
const shouldRetryHeaders = [undefined, "true", "false"] as const
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0)
const hints: ReadonlyArray<readonly [string, Record<string, string>, number | undefined]> = [
  ["no hint", {}, undefined],
  ["retry-after-ms 0", { "retry-after-ms": "0" }, 0],
  ["retry-after-ms 10", { "retry-after-ms": "10" }, 10],
  ["retry-after-ms -1", { "retry-after-ms": "-1" }, undefined],
  ["retry-after-ms 70000", { "retry-after-ms": "70000" }, undefined],
  ["retry-after-ms garbage", { "retry-after-ms": "soon" }, undefined],
  ["Retry-After 0.1", { "retry-after": "0.1" }, 100],
  ["Retry-After 5", { "retry-after": "5" }, 5000],
  ["Retry-After HTTP-date", { "retry-after": new Date(NOW + 3000).toUTCString() }, 3000],
  ["Retry-After 120", { "retry-after": "120" }, undefined],
  ["Retry-After garbage", { "retry-after": "later" }, undefined]
]

/** The policy table, written independently of the implementation. */
const retryableStatus = (status: number) =>
  status === 200 || status === 408 || status === 409 || status === 429 || status >= 500
const bodyFor = (status: number) =>
  status === 200
    ? JSON.stringify({ code: "The service is currently unavailable", error: "Timed out waiting for first token" })
    : JSON.stringify({ code: "some status", error: `failure ${status}` })

const RANDOM = 0.5
const defaultDelay = (retryIndex: number) => Math.min(500 * 2 ** retryIndex, 8000) * (1 - RANDOM * 0.25)

describe("retry policy", () => {
  let cases = 0
  for (const status of statuses) {
    for (const shouldRetryHeader of shouldRetryHeaders) {
      for (const [hintName, hintHeaders, hintMillis] of hints) {
        cases++
        const headers = {
          ...hintHeaders,
          ...(shouldRetryHeader === undefined ? {} : { "x-should-retry": shouldRetryHeader })
        }
        const retries = shouldRetryHeader === undefined ? retryableStatus(status) : shouldRetryHeader === "true"
        it.effect(`${status}, x-should-retry ${shouldRetryHeader ?? "absent"}, ${hintName}`, () =>
          Effect.gen(function*() {
            yield* TestClock.setTime(NOW)
            const http = fakeHttp(status, headers, bodyFor(status))
            const fiber = yield* GrokClient.make({ apiKey: Redacted.make("sk-test"), baseUrl: "http://127.0.0.1:1/v1" })
              .pipe(
                Effect.flatMap((client) => client.createChatCompletion(request)),
                Effect.provide([http.layer, FixedRandom(RANDOM)]),
                Effect.flip,
                Effect.forkChild
              )
            yield* Effect.yieldNow
            expect(http.state.attempts).toBe(1)
            if (retries) {
              let elapsed = 0
              for (let retryIndex = 0; retryIndex < 2; retryIndex++) {
                // An HTTP-date names a moment: once it has passed, the next retry waits no more.
                const delay = hintName === "Retry-After HTTP-date"
                  ? Math.max(0, hintMillis! - elapsed)
                  : hintMillis ?? defaultDelay(retryIndex)
                if (delay > 0) {
                  yield* TestClock.adjust(delay - 1)
                  yield* Effect.yieldNow
                  expect(http.state.attempts).toBe(retryIndex + 1)
                  yield* TestClock.adjust(1)
                  elapsed += delay
                }
                yield* Effect.yieldNow
                expect(http.state.attempts).toBeGreaterThanOrEqual(retryIndex + 2)
              }
            }
            const error = yield* Fiber.join(fiber)
            expect(error).toBeInstanceOf(GrokError)
            expect(http.state.attempts).toBe(retries ? 3 : 1)
          }))
      }
    }
  }

  it("has at least 300 cases in its matrix", () => {
    expect(cases).toBeGreaterThanOrEqual(300)
  })

  it("keeps default delays within [0.75, 1.0] of min(0.5 s * 2^n, 8 s)", () => {
    for (let retryIndex = 0; retryIndex < 8; retryIndex++) {
      const base = Math.min(500 * 2 ** retryIndex, 8000)
      expect(RetryPolicy.backoffMillis(retryIndex, 0)).toBe(base)
      expect(RetryPolicy.backoffMillis(retryIndex, 0.999999)).toBeGreaterThanOrEqual(base * 0.75)
      expect(RetryPolicy.backoffMillis(retryIndex, 0.999999)).toBeLessThanOrEqual(base)
    }
  })

  it.effect("succeeds after retries without sleeping in real time", () =>
    Effect.gen(function*() {
      let attempts = 0
      const client = HttpClient.make((httpRequest) =>
        Effect.sync(() =>
          HttpClientResponse.fromWeb(
            httpRequest,
            ++attempts < 3
              ? new Response("{\"code\":\"x\",\"error\":\"busy\"}", { status: 503 })
              : new Response(completionBody, { status: 200, headers: { "content-type": "application/json" } })
          )
        )
      )
      const fiber = yield* GrokClient.make({ apiKey: Redacted.make("sk-test") }).pipe(
        Effect.flatMap((grok) => grok.createChatCompletion(request)),
        Effect.provide([Layer.succeed(HttpClient.HttpClient, client), FixedRandom(0)]),
        Effect.forkChild
      )
      yield* TestClock.adjust(500)
      yield* TestClock.adjust(1000)
      const completion = yield* Fiber.join(fiber)
      expect(completion.choices[0]?.message.content).toBe("fine")
      expect(attempts).toBe(3)
    }))
})
