/**
 * `GrokClient` under injected faults over real loopback sockets: zero duplicate generations after
 * the first streamed chunk, stall detection, and interruption at each point leaving no socket
 * open.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { type ChatCompletionRequest, GrokClient } from "@grokit/core"
import { MockServer } from "@grokit/mock"
import { Cause, Context, Duration, Effect, Exit, Fiber, Layer, Scope, Stream } from "effect"
import { HttpClient } from "effect/http"
import { TestClock } from "effect/testing"
import {
  countingProxy,
  driveClock,
  eventually,
  grokError,
  grokLayer,
  realSleep,
  recordingSleeps,
  TEST_KEY,
  withGrok,
  withHeaders
} from "./support/Sockets.ts"

const WORDS = Array.from({ length: 24 }, (_, index) => `w${index}`).join(" ")
const ask = (content: string, extra?: Partial<ChatCompletionRequest>): ChatCompletionRequest => ({
  model: "grok-4.3",
  messages: [{ role: "user", content }],
  ...extra
})

/** The word-sized pieces the mock streams (each with its leading space). */
const pieces = (text: string): Array<string> => text.match(/\s*\S+/g) ?? []

describe("zero duplicate generations", () => {
  const kinds = ["drop-mid-stream", "error-in-stream", "truncate", "stall-mid-stream"] as const
  const expectedReason = {
    "drop-mid-stream": { _tag: "TransportError" },
    "error-in-stream": { _tag: "ErrorInResponse", inStream: true, code: "The service is currently unavailable" },
    "truncate": { _tag: "StreamError", kind: "Truncated" },
    "stall-mid-stream": { _tag: "Timeout", phase: "idle" }
  } as const
  const PER_KIND = 55

  it.live(
    `${PER_KIND * kinds.length} mid-stream failures: 1 request each, a typed error, the partial text`,
    () =>
      Effect.gen(function*() {
        const mock = yield* MockServer.start()
        const full = `You said: ${WORDS}`
        const fullPieces = pieces(full)
        const cases: Array<{ readonly kind: (typeof kinds)[number]; readonly after: number; readonly id: string }> = []
        for (const kind of kinds) {
          for (let index = 0; index < PER_KIND; index++) {
            // after = 1 .. number of pieces: at least one chunk delivered, always before the finish chunk
            cases.push({ kind, after: 1 + (index % fullPieces.length), id: `${kind}-${index}` })
          }
        }
        const results = yield* Effect.forEach(cases, ({ after, id, kind }) =>
          Effect.gen(function*() {
            const grok = yield* GrokClient.make({
              apiKey: TEST_KEY,
              baseUrl: mock.url,
              // only the stalls wait for the idle timeout; the others must not depend on timing
              idleTimeout: kind === "stall-mid-stream" ? "150 millis" : "30 seconds",
              conversationId: id,
              transformClient: withHeaders({ "x-mock-fault": `${kind};after=${after}` })
            })
            const error = yield* grokError(GrokClient.collect(grok.streamChatCompletion(ask(WORDS))))
            return { kind, after, id, error }
          }), { concurrency: 16 }).pipe(Effect.provide(NodeHttpClient.layerUndici, { local: true }))

        expect(results.length).toBeGreaterThanOrEqual(200)
        const requestsById = new Map<string, number>()
        for (const request of mock.requests) {
          const id = request.headers["x-grok-conv-id"] as string
          requestsById.set(id, (requestsById.get(id) ?? 0) + 1)
        }
        const problems: Array<string> = []
        for (const { after, error, id, kind } of results) {
          const requests = requestsById.get(id) ?? 0
          if (requests !== 1) problems.push(`${id}: ${requests} requests`)
          if (!matches(error.reason, expectedReason[kind])) {
            problems.push(`${id}: ${error.reason._tag} ${error.message}`)
          }
          // every one of these reasons is retryable before the first chunk; none is retried after it
          if (!error.isRetryable) problems.push(`${id}: not retryable`)
          const partial = error.partial
          if (partial === undefined) {
            problems.push(`${id}: no partial`)
            continue
          }
          const content = partial.choices[0]?.message.content ?? ""
          const expected = fullPieces.slice(0, after).join("")
          if (content !== expected) {
            problems.push(`${id}: partial ${JSON.stringify(content)} != ${JSON.stringify(expected)}`)
          }
          if (partial.choices[0]?.finish_reason != null) problems.push(`${id}: a finish reason in the partial`)
          if (partial.usage !== undefined) problems.push(`${id}: usage in the partial (the mock sends it last)`)
        }
        expect(problems).toEqual([])
        expect(mock.requestCount).toBe(results.length)
      }),
    30_000
  )
})

const matches = (actual: object, expected: Record<string, unknown>): boolean =>
  Object.entries(expected).every(([key, value]) => (actual as Record<string, unknown>)[key] === value)

describe("stall detection", () => {
  it.live("stall-before-headers on a stream: Timeout first-token, retried per policy (2 attempts with maxRetries 1)", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      const error = yield* withGrok({
        baseUrl: mock.url,
        firstTokenTimeout: "300 millis",
        maxRetries: 1,
        transformClient: withHeaders({ "x-mock-fault": "stall-before-headers" })
      }, (grok) => grokError(GrokClient.collect(grok.streamChatCompletion(ask("hello")))))
      expect(error.reason).toMatchObject({ _tag: "Timeout", phase: "first-token" })
      expect(Duration.toMillis((error.reason as { readonly after: Duration.Duration }).after)).toBe(300)
      expect(error.partial).toBeUndefined()
      expect(mock.requestCount).toBe(2)
    }))

  it.effect("stall-before-headers: 3 attempts with the default budget, each cut at firstTokenTimeout (TestClock)", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      const sleeps: Array<number> = []
      const fiber = yield* recordingSleeps(
        sleeps,
        withGrok({
          baseUrl: mock.url,
          firstTokenTimeout: "20 seconds",
          transformClient: withHeaders({ "x-mock-fault": "stall-before-headers" })
        }, (grok) => grokError(GrokClient.collect(grok.streamChatCompletion(ask("hello")))))
      ).pipe(Effect.forkChild)
      yield* driveClock(fiber, { stepMillis: 1_000, maxSteps: 1_000 })
      const error = yield* Fiber.join(fiber)
      expect(error.reason).toMatchObject({ _tag: "Timeout", phase: "first-token" })
      expect(mock.requestCount).toBe(3)
      // each attempt waits 20 s (the first-token timeout), then the two backoff delays between them
      expect(sleeps.length).toBe(5)
      expect([sleeps[0], sleeps[2], sleeps[4]]).toEqual([20_000, 20_000, 20_000])
      expect(sleeps[1]).toBeGreaterThanOrEqual(375)
      expect(sleeps[1]).toBeLessThanOrEqual(500)
      expect(sleeps[3]).toBeGreaterThanOrEqual(750)
      expect(sleeps[3]).toBeLessThanOrEqual(1000)
    }))

  it.live("stall-before-headers on create: Timeout attempt (timeout 300 ms, maxRetries 0)", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      const error = yield* withGrok({
        baseUrl: mock.url,
        timeout: "300 millis",
        maxRetries: 0,
        transformClient: withHeaders({ "x-mock-fault": "stall-before-headers" })
      }, (grok) => grokError(grok.createChatCompletion(ask("hello"))))
      expect(error.reason).toMatchObject({ _tag: "Timeout", phase: "attempt" })
      expect(mock.requestCount).toBe(1)
    }))

  it.live("stall-mid-stream with idleTimeout 300 ms: Timeout idle, 1 request, partial text", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      const error = yield* withGrok({
        baseUrl: mock.url,
        idleTimeout: "300 millis",
        transformClient: withHeaders({ "x-mock-fault": "stall-mid-stream;after=3" })
      }, (grok) => grokError(GrokClient.collect(grok.streamChatCompletion(ask("one two three four")))))
      expect(error.reason).toMatchObject({ _tag: "Timeout", phase: "idle" })
      // pieces "You", " said:", " one": the three events written before the stall
      expect(error.partial?.choices[0]?.message.content).toBe("You said: one")
      expect(mock.requestCount).toBe(1)
    }))

  it.live("stall-mid-stream after headers, before the first chunk: Timeout, retried (2 requests, maxRetries 1)", () =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      const error = yield* withGrok({
        baseUrl: mock.url,
        idleTimeout: "200 millis",
        firstTokenTimeout: "300 millis",
        maxRetries: 1,
        transformClient: withHeaders({ "x-mock-fault": "stall-mid-stream;after=0" })
      }, (grok) => grokError(GrokClient.collect(grok.streamChatCompletion(ask("hello")))))
      expect(error.reason._tag).toBe("Timeout")
      expect(error.partial).toBeUndefined()
      expect(mock.requestCount).toBe(2)
    }))
})

describe("interruption leaves no socket open", () => {
  /**
   * Builds the client in its own scope, behind a counting proxy; the test closes the scope
   * itself to check that closing completes.
   */
  const setup = (fault: string, options?: { readonly tapResponses?: { count: number } }) =>
    Effect.gen(function*() {
      const mock = yield* MockServer.start()
      const proxy = yield* countingProxy(mock.port)
      const scope = yield* Scope.make()
      const sleeps: Array<number> = []
      const context = yield* Layer.buildWithScope(
        grokLayer({
          baseUrl: `${proxy.origin}/v1`,
          transformClient: (client) => {
            const withFault = withHeaders({ "x-mock-fault": fault })(client)
            const tap = options?.tapResponses
            return tap === undefined
              ? withFault
              : HttpClient.tap(withFault, () => Effect.sync(() => void tap.count++))
          }
        }),
        scope
      )
      const grok = Context.get(context, GrokClient)
      return { mock, proxy, scope, grok, sleeps }
    })

  const expectInterrupted = <A, E>(fiber: Fiber.Fiber<A, E>) =>
    Effect.gen(function*() {
      yield* Fiber.interrupt(fiber)
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)).toBe(true)
    })

  it.live("before the response headers (stream and create)", () =>
    Effect.gen(function*() {
      const { grok, mock, proxy, scope } = yield* setup("stall-before-headers")
      const stream = yield* GrokClient.collect(grok.streamChatCompletion(ask("hi"))).pipe(Effect.forkChild)
      const create = yield* grok.createChatCompletion(ask("hi")).pipe(Effect.forkChild)
      yield* eventually(() => mock.requestCount === 2 && proxy.open() === 2, "two requests in flight")
      yield* expectInterrupted(stream)
      yield* expectInterrupted(create)
      yield* eventually(() => proxy.open() === 0, "every socket closed")
      expect(mock.requestCount).toBe(2)
      yield* Scope.close(scope, Exit.void)
    }))

  it.live("after the headers, before the first chunk", () =>
    Effect.gen(function*() {
      const responses = { count: 0 }
      const { grok, mock, proxy, scope } = yield* setup("stall-mid-stream;after=0", { tapResponses: responses })
      const fiber = yield* GrokClient.collect(grok.streamChatCompletion(ask("hi"))).pipe(Effect.forkChild)
      yield* eventually(() => responses.count === 1, "the response headers")
      expect(proxy.open()).toBe(1)
      yield* expectInterrupted(fiber)
      yield* eventually(() => proxy.open() === 0, "the socket closed")
      expect(mock.requestCount).toBe(1)
      yield* Scope.close(scope, Exit.void)
    }))

  it.live("mid-stream, after chunks were delivered (stream) and mid-body (create)", () =>
    Effect.gen(function*() {
      const responses = { count: 0 }
      const { grok, mock, proxy, scope } = yield* setup("stall-mid-stream;after=2", { tapResponses: responses })
      let delivered = 0
      const stream = yield* grok.streamChatCompletion(ask("one two three")).pipe(
        Stream.runForEach(() => Effect.sync(() => void delivered++)),
        Effect.forkChild
      )
      yield* eventually(() => delivered >= 1, "a delivered chunk")
      const create = yield* grok.createChatCompletion(ask("one two three")).pipe(Effect.forkChild)
      yield* eventually(() => responses.count === 2, "the create response headers")
      expect(proxy.open()).toBe(2)
      yield* expectInterrupted(stream)
      yield* expectInterrupted(create)
      yield* eventually(() => proxy.open() === 0, "every socket closed")
      expect(mock.requestCount).toBe(2)
      yield* Scope.close(scope, Exit.void)
    }))

  it.live("during a retry sleep", () =>
    Effect.gen(function*() {
      const { grok, mock, proxy, scope } = yield* setup("rate-limit;retry-after=30")
      const sleeps: Array<number> = []
      const fiber = yield* recordingSleeps(sleeps, GrokClient.collect(grok.streamChatCompletion(ask("hi")))).pipe(
        Effect.forkChild
      )
      yield* eventually(() => sleeps.includes(30_000), "the 30 s retry sleep")
      yield* expectInterrupted(fiber)
      // the 429 was read whole: its connection is idle in the pool, and goes with the client
      expect(proxy.open()).toBeLessThanOrEqual(1)
      yield* Scope.close(scope, Exit.void)
      yield* eventually(() => proxy.open() === 0, "the pooled socket closed with the client")
      yield* realSleep(20)
      expect(mock.requestCount).toBe(1)
    }))

  it.effect("during a retry sleep under the TestClock: no further attempt after the interruption", () =>
    Effect.gen(function*() {
      const { grok, mock, proxy, scope } = yield* setup("server-error;status=503")
      const sleeps: Array<number> = []
      const fiber = yield* recordingSleeps(sleeps, grok.createChatCompletion(ask("hi"))).pipe(Effect.forkChild)
      yield* eventually(() => sleeps.length === 1, "the backoff sleep")
      yield* expectInterrupted(fiber)
      yield* TestClock.adjust("1 minute")
      yield* realSleep(20)
      expect(mock.requestCount).toBe(1)
      yield* Scope.close(scope, Exit.void)
      yield* eventually(() => proxy.open() === 0, "the pooled socket closed with the client")
    }))
})
