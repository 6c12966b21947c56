/**
 * The API key never leaks (reliability figure 17): a canary key runs through success and failure
 * paths over real sockets, with every log at Debug level and every span captured, and must not
 * appear in any error rendering, in the client options, in the logs, in the spans, or in what the
 * mock recorded.
 */
import { describe, expect, it } from "@effect/vitest"
import { type ChatCompletionRequest, GrokClient, type GrokClientOptions, type GrokError } from "@grokit/core"
import { MockScript, MockServer } from "@grokit/mock"
import { Cause, Effect, Exit, Fiber, Layer, Logger, Redacted, References, Stream, Tracer } from "effect"
import { HttpClient } from "effect/http"
import * as Util from "node:util"
import { closedPort, driveClock, grokError, grokLayer, testServer, withHeaders } from "./support/Sockets.ts"

const CANARY = "xai-canary-7f3a9c2e1b"

const ask = (content: string, extra?: Partial<ChatCompletionRequest>): ChatCompletionRequest => ({
  model: "grok-4.3",
  messages: [{ role: "user", content }],
  ...extra
})

/** Every way a value is commonly turned into text. */
const renderings = (value: unknown): Array<string> => {
  const out = [
    Util.inspect(value, { depth: 10 }),
    Util.inspect(value, { depth: 10, showHidden: true }),
    Util.format("%o", value)
  ]
  try {
    out.push(String(value))
  } catch (error) {
    out.push(`String() threw ${String(error)}`)
  }
  try {
    out.push(JSON.stringify(value) ?? "undefined")
  } catch (error) {
    out.push(`JSON.stringify threw ${String(error)}`)
  }
  return out
}

const errorRenderings = (error: GrokError): Array<string> => [
  ...renderings(error),
  error.message,
  error.stack ?? "",
  error.toString(),
  ...renderings(error.reason),
  error.reason.message,
  ...renderings(error.partial)
]

/** Collects what a run logs (at Debug and above) and the spans it opens. */
const capture = () => {
  const logs: Array<string> = []
  const spans: Array<Tracer.NativeSpan> = []
  const logger = Logger.make((options) => {
    logs.push(Logger.formatJson.log(options), Logger.formatLogFmt.log(options), Util.inspect(options, { depth: 10 }))
  })
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  const layer = Layer.mergeAll(
    Logger.layer([logger]),
    Layer.succeed(References.MinimumLogLevel, "Debug"),
    Layer.succeed(Tracer.Tracer, tracer),
    // header capture in client spans is opt-in: record every header, the worst case
    Layer.succeed(HttpClient.TracerHeaderFilter, () => true)
  )
  const spanTexts = () =>
    spans.flatMap((span) => [
      span.name,
      Util.inspect([...span.attributes], { depth: 10 }),
      Util.inspect(span.events, { depth: 10 }),
      Util.inspect(span.status, { depth: 10 }),
      Util.inspect(span.links, { depth: 10 })
    ])
  return { logs, spans, layer, spanTexts }
}

/** A `transformClient` that logs every request and response at Debug, as a user's logging middleware would. */
const debugLogging = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  client.pipe(
    HttpClient.tapRequest((request) => Effect.logDebug("request", request, request.headers)),
    HttpClient.tap((response) => Effect.logDebug("response", response.status, response.headers))
  )

const leaks = (texts: ReadonlyArray<string>): Array<string> => texts.filter((text) => text.includes(CANARY))

describe("the API key never leaks", () => {
  it.effect(
    "canary key through success and failure paths: 0 occurrences in errors, options, logs, spans, recordings",
    () =>
      Effect.gen(function*() {
        const { layer, logs, spanTexts, spans } = capture()
        const apiKey = Redacted.make(CANARY)
        const good = yield* MockServer.start({ apiKey: CANARY })
        const wrongKey = yield* MockServer.start({ apiKey: "xai-some-other-key" })
        const echo = yield* testServer((request, response) => {
          // a hostile or broken server that echoes the Authorization header in its error body
          response.writeHead(401, { "content-type": "application/json" })
          response.end(JSON.stringify({ code: "Unauthenticated", error: `bad key: ${request.headers.authorization}` }))
        })
        const refused = yield* closedPort

        const options = (
          baseUrl: string,
          extra?: Partial<GrokClientOptions>
        ): GrokClientOptions & { readonly baseUrl: string } => ({
          apiKey,
          maxRetries: 1,
          transformClient: debugLogging,
          ...extra,
          baseUrl
        })
        const texts: Array<string> = []
        const errors: Array<string> = []

        const run = <A>(
          name: string,
          clientOptions: GrokClientOptions & { readonly baseUrl: string },
          call: (grok: GrokClient["Service"]) => Effect.Effect<A, GrokError>
        ) =>
          Effect.gen(function*() {
            texts.push(...renderings(clientOptions))
            const fiber = yield* GrokClient.use(call).pipe(
              Effect.tapCause((cause) => Effect.logDebug("call failed", cause)),
              Effect.exit,
              Effect.provide(grokLayer(clientOptions), { local: true }),
              Effect.forkChild
            )
            yield* driveClock(fiber, { stepMillis: 100, maxSteps: 1_000 })
            const exit = yield* Fiber.join(fiber)
            if (Exit.isFailure(exit)) {
              texts.push(Cause.pretty(exit.cause), ...renderings(exit.cause))
              const error = yield* grokError(Effect.failCause(exit.cause))
              errors.push(`${name}: ${error.reason._tag}`)
              texts.push(...errorRenderings(error))
            } else {
              errors.push(`${name}: ok`)
              texts.push(...renderings(exit.value))
            }
          })

        yield* Effect.gen(function*() {
          yield* run("create", options(good.url), (grok) => grok.createChatCompletion(ask("hello")))
          yield* run("stream", options(good.url), (grok) => GrokClient.collect(grok.streamChatCompletion(ask("hello"))))
          yield* run("models", options(good.url), (grok) => grok.listModels)
          yield* run("wrong key (400)", options(wrongKey.url), (grok) => grok.createChatCompletion(ask("hello")))
          good.enqueue(MockScript.httpError(401, { code: "Unauthenticated", error: "invalid credentials" }))
          yield* run("401", options(good.url), (grok) => grok.createChatCompletion(ask("hello")))
          yield* run(
            "401 echoing the key",
            options(`${echo.origin}/v1`),
            (grok) => grok.createChatCompletion(ask("hi"))
          )
          yield* run(
            "429",
            options(good.url, {
              transformClient: (client) =>
                debugLogging(withHeaders({ "x-mock-fault": "rate-limit;retry-after-ms=0" })(client))
            }),
            (grok) => GrokClient.collect(grok.streamChatCompletion(ask("hello")))
          )
          yield* run(
            "transport",
            options(`http://127.0.0.1:${refused}/v1`),
            (grok) => grok.createChatCompletion(ask("x"))
          )
          yield* run(
            "drop mid-stream",
            options(good.url, {
              transformClient: (client) => debugLogging(withHeaders({ "x-mock-fault": "drop-mid-stream" })(client))
            }),
            (grok) => GrokClient.collect(grok.streamChatCompletion(ask("one two three")))
          )
          yield* run(
            "idle timeout",
            options(good.url, {
              idleTimeout: "300 millis",
              transformClient: (client) => debugLogging(withHeaders({ "x-mock-fault": "stall-mid-stream" })(client))
            }),
            (grok) => GrokClient.collect(grok.streamChatCompletion(ask("one two three")))
          )
          yield* run(
            "invalid request",
            options(good.url),
            (grok) => grok.createChatCompletion(ask("x", { temperature: 7 }))
          )
          yield* run(
            "unsupported parameter",
            options(good.url),
            (grok) => grok.createChatCompletion(ask("x", { stop: ["end"] }))
          )
          yield* run(
            "server-side validation",
            options(good.url, { validateRequests: false }),
            (grok) => grok.createChatCompletion(ask("x", { temperature: 7 }))
          )
          yield* run(
            "stream stream",
            options(good.url),
            (grok) => grok.streamChatCompletion(ask("a b")).pipe(Stream.runCollect)
          )
        }).pipe(Effect.provide(layer))

        expect(errors).toEqual([
          "create: ok",
          "stream: ok",
          "models: ok",
          "wrong key (400): HttpStatusError",
          "401: HttpStatusError",
          "401 echoing the key: HttpStatusError",
          "429: RateLimited",
          "transport: TransportError",
          "drop mid-stream: TransportError",
          "idle timeout: Timeout",
          "invalid request: InvalidRequest",
          "unsupported parameter: UnsupportedParameter",
          "server-side validation: HttpStatusError",
          "stream stream: ok"
        ])
        // the captures are not empty: Debug logs and HTTP client spans were really recorded
        expect(logs.length).toBeGreaterThan(20)
        expect(spans.length).toBeGreaterThan(10)
        const authorization = spans.flatMap((span) =>
          [...span.attributes].filter(([key]) => key === "http.request.header.authorization").map(([, value]) => value)
        )
        expect(authorization.length).toBeGreaterThan(0)
        expect(new Set(authorization)).toEqual(new Set(["<redacted>"]))

        expect(leaks(texts)).toEqual([])
        expect(leaks(logs)).toEqual([])
        expect(leaks(spanTexts())).toEqual([])
        const recorded = [...good.requests, ...wrongKey.requests]
        expect(recorded.length).toBeGreaterThan(5)
        expect(recorded.filter((request) => request.headers.authorization !== undefined)).toEqual([])
        expect(leaks([JSON.stringify(recorded)])).toEqual([])
      }),
    30_000
  )

  it.live("a server echoing the key back: replaced by <redacted> in every reason (status, JSON 200, in-stream)", () =>
    Effect.gen(function*() {
      const server = yield* testServer((request, response) => {
        const echoed = `key ${request.headers.authorization}`
        switch (request.headers["x-grok-conv-id"]) {
          case "401":
            response.writeHead(401, { "content-type": "application/json" })
            return response.end(JSON.stringify({ code: "Unauthenticated", error: echoed }))
          case "json-200":
            response.writeHead(200, { "content-type": "application/json" })
            return response.end(JSON.stringify({ code: "Unavailable", error: echoed }))
          case "not-json":
            response.writeHead(200, { "content-type": "application/json" })
            return response.end(`<html>${echoed}</html>`)
          case "in-stream":
            response.writeHead(200, { "content-type": "text/event-stream" })
            return response.end(
              `data: ${
                JSON.stringify({
                  id: "c",
                  object: "chat.completion.chunk",
                  created: 1,
                  model: "grok-4.3",
                  choices: [{ index: 0, delta: { role: "assistant", content: "Hi" } }]
                })
              }\n\nevent: error\ndata: ${echoed}\n\n`
            )
        }
      })
      const calls = ["401", "json-200", "not-json", "in-stream"] as const
      const results = yield* Effect.forEach(calls, (conversationId) =>
        Effect.provide(
          GrokClient.use((grok) =>
            grokError(
              conversationId === "in-stream" || conversationId === "json-200"
                ? GrokClient.collect(grok.streamChatCompletion(ask("hi"), { conversationId }))
                : grok.createChatCompletion(ask("hi"), { conversationId })
            )
          ),
          grokLayer({ apiKey: Redacted.make(CANARY), baseUrl: `${server.origin}/v1`, maxRetries: 0 }),
          { local: true }
        ))
      expect(results.map((error) => error.reason._tag)).toEqual([
        "HttpStatusError",
        "ErrorInResponse",
        "InvalidResponse",
        "ErrorInResponse"
      ])
      for (const error of results) {
        expect(error.message).toContain("key Bearer <redacted>")
        expect(leaks(errorRenderings(error))).toEqual([])
      }
      expect(results[3]!.partial?.choices[0]?.message.content).toBe("Hi")
    }))

  it("the options print without the key", () => {
    const options: GrokClientOptions = { apiKey: Redacted.make(CANARY), baseUrl: "http://127.0.0.1:1/v1" }
    const texts = renderings(options)
    expect(leaks(texts)).toEqual([])
    expect(Util.inspect(options)).toContain("<redacted>")
    // the value is still there for the one place that needs it
    expect(Redacted.value(options.apiKey)).toBe(CANARY)
  })
})
