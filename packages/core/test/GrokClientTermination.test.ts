/**
 * How a streamed chat completion ends, over a real socket, from a tiny `node:http` server that
 * writes each ending byte for byte: the termination matrix (reliability figure 8), every cut point
 * of a stream (no silent success on truncation), the last usage kept in `partial`, and bounded
 * memory against an endless event (figure 9).
 */
import { describe, expect, it } from "@effect/vitest"
import { type ChatCompletion, type ChatCompletionRequest, GrokClient, type GrokError } from "@grokit/core"
import { Effect, Exit, Fiber, Stream } from "effect"
import type * as Http from "node:http"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import { chunkEvent, driveClock, grokError, SSE_HEADERS, testServer, withGrok } from "./support/Sockets.ts"

const request: ChatCompletionRequest = { model: "grok-4.3", messages: [{ role: "user", content: "hi" }] }

const usage = (completion: number) => ({
  prompt_tokens: 5,
  completion_tokens: completion,
  total_tokens: 5 + completion,
  cost_in_usd_ticks: 10_000 + completion * 5_000
})

const ROLE = chunkEvent({ role: "assistant", content: "Hel" })
const CONTENT = chunkEvent({ content: "lo" })
const FINISH = chunkEvent({}, { finishReason: "stop" })
const USAGE = `data: ${
  JSON.stringify({
    id: "chunk-1",
    object: "chat.completion.chunk",
    created: 1_767_225_600,
    model: "grok-4.3",
    choices: [],
    usage: usage(2)
  })
}\n\n`
const DONE = "data: [DONE]\n\n"

interface Ending {
  readonly name: string
  /** What the server does after the response headers. */
  readonly write: (response: Http.ServerResponse, gate: Promise<void>) => void
  readonly json?: boolean
  /** `undefined`: a success; otherwise the expected reason fields. */
  readonly expected: Record<string, unknown> | undefined
  /** Requests the server receives (1 unless the failure came before the first chunk). */
  readonly requests: number
  /** The text the caller has at the end (the completion's, or the error's partial). */
  readonly text: string | undefined
}

const endings: ReadonlyArray<Ending> = [
  {
    name: "data: [DONE]",
    write: (response) => response.end(ROLE + CONTENT + FINISH + USAGE + DONE),
    expected: undefined,
    requests: 1,
    text: "Hello"
  },
  {
    name: "data: [DONE] without a finish reason",
    write: (response) => response.end(ROLE + CONTENT + DONE),
    expected: undefined,
    requests: 1,
    text: "Hello"
  },
  {
    name: "EOF after a finish reason, no [DONE]",
    write: (response) => response.end(ROLE + CONTENT + FINISH),
    expected: undefined,
    requests: 1,
    text: "Hello"
  },
  {
    name: "EOF with neither [DONE] nor a finish reason",
    write: (response) => response.end(ROLE + CONTENT),
    expected: { _tag: "StreamError", kind: "Truncated" },
    requests: 1,
    text: "Hello"
  },
  {
    name: "EOF in the middle of an event",
    write: (response) => response.end(ROLE + CONTENT.slice(0, 40)),
    expected: { _tag: "StreamError", kind: "Truncated" },
    requests: 1,
    text: "Hel"
  },
  {
    name: "socket reset mid-stream",
    write: (response, gate) => {
      response.write(ROLE)
      // reset only once the client has the first chunk: a reset can discard unread bytes
      void gate.then(() => response.socket?.resetAndDestroy())
    },
    expected: { _tag: "TransportError" },
    requests: 1,
    text: "Hel"
  },
  {
    name: "event: error",
    write: (response) => response.end(ROLE + "event: error\ndata: overloaded, try again\n\n"),
    expected: { _tag: "ErrorInResponse", inStream: true, serverMessage: "overloaded, try again" },
    requests: 1,
    text: "Hel"
  },
  {
    name: "data: {\"error\":{...}} (OpenAI shape)",
    write: (response) =>
      response.end(
        ROLE + CONTENT +
          `data: ${JSON.stringify({ error: { message: "boom", type: "server_error", code: "overloaded" } })}\n\n`
      ),
    expected: { _tag: "ErrorInResponse", inStream: true, serverMessage: "boom", code: "overloaded" },
    requests: 1,
    text: "Hello"
  },
  {
    name: "data: {\"code\",\"error\"} (xAI shape)",
    write: (response) =>
      response.end(
        ROLE +
          `data: ${
            JSON.stringify({ code: "The service is currently unavailable", error: "Timed out waiting for first token" })
          }\n\n`
      ),
    expected: {
      _tag: "ErrorInResponse",
      inStream: true,
      serverMessage: "Timed out waiting for first token",
      code: "The service is currently unavailable"
    },
    requests: 1,
    text: "Hel"
  },
  {
    name: "HTTP 200 with a JSON error body for a stream request (retried: before any chunk)",
    json: true,
    write: (response) =>
      response.end(JSON.stringify({ code: "The service is currently unavailable", error: "no capacity" })),
    expected: {
      _tag: "ErrorInResponse",
      inStream: false,
      serverMessage: "no capacity",
      code: "The service is currently unavailable"
    },
    requests: 3,
    text: undefined
  }
]

const textOf = (completion: ChatCompletion | undefined): string | undefined =>
  completion?.choices[0]?.message.content ?? undefined

describe("termination matrix over a socket", () => {
  it.effect(`${endings.length} endings map to their documented outcome`, () =>
    Effect.gen(function*() {
      const gates = new Map<string, () => void>()
      const server = yield* testServer((incoming, response) => {
        const index = Number(/^\/(\d+)\//.exec(incoming.url ?? "")?.[1])
        const ending = endings[index]!
        response.writeHead(200, ending.json === true ? { "content-type": "application/json" } : SSE_HEADERS)
        response.flushHeaders()
        ending.write(response, new Promise<void>((resolve) => gates.set(String(index), resolve)))
      })
      const outcomes: Array<string> = []
      let before = 0
      for (let index = 0; index < endings.length; index++) {
        const ending = endings[index]!
        const fiber = yield* withGrok({ baseUrl: `${server.origin}/${index}/v1` }, (grok) =>
          Effect.exit(GrokClient.collect(
            grok.streamChatCompletion(request).pipe(
              Stream.tap(() =>
                Effect.sync(() => gates.get(String(index))?.())
              )
            )
          ))).pipe(Effect.forkChild)
        yield* driveClock(fiber, { stepMillis: 100, maxSteps: 1_000 })
        const exit = yield* Fiber.join(fiber)
        const requests = server.requests() - before
        before = server.requests()
        let outcome: string
        if (Exit.isSuccess(exit)) {
          outcome = ending.expected === undefined && textOf(exit.value) === ending.text
            ? "ok"
            : `unexpected success ${JSON.stringify(textOf(exit.value))}`
          if (ending.name === "data: [DONE]") expect(exit.value.usage).toEqual(usage(2))
        } else {
          const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")?.error as GrokError | undefined
          const reason = error?.reason as unknown as Record<string, unknown> | undefined
          const matches = ending.expected !== undefined && reason !== undefined &&
            Object.entries(ending.expected).every(([key, value]) => reason[key] === value)
          outcome = matches && textOf(error?.partial) === ending.text
            ? "ok"
            : `unexpected failure ${error?.message ?? String(exit.cause)} partial ${
              JSON.stringify(textOf(error?.partial))
            }`
        }
        if (requests !== ending.requests) outcome += ` (${requests} requests, expected ${ending.requests})`
        outcomes.push(`${ending.name}: ${outcome}`)
      }
      expect(outcomes).toEqual(endings.map((ending) => `${ending.name}: ok`))
    }), 30_000)

  it.live("an error event in the same read as the first chunks: the chunks are delivered, no retry", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, response) => {
        response.writeHead(200, SSE_HEADERS)
        response.end(
          ROLE + CONTENT +
            `data: ${JSON.stringify({ code: "The service is currently unavailable", error: "gone" })}\n\n`
        )
      })
      const error = yield* withGrok(
        { baseUrl: `${server.origin}/v1` },
        (grok) => grokError(GrokClient.collect(grok.streamChatCompletion(request)))
      )
      expect(error.reason).toMatchObject({ _tag: "ErrorInResponse", inStream: true, serverMessage: "gone" })
      expect(textOf(error.partial)).toBe("Hello")
      expect(server.requests()).toBe(1)
    }))

  it.live("the last usage received (xAI sends it on every chunk) is kept in the partial after a reset", () =>
    Effect.gen(function*() {
      let release: () => void = () => {}
      const gate = new Promise<void>((resolve) => (release = resolve))
      const server = yield* testServer((_, response) => {
        response.writeHead(200, SSE_HEADERS)
        response.write(
          chunkEvent({ role: "assistant", content: "a" }, { usage: usage(1) }) +
            chunkEvent({ content: " b" }, { usage: usage(2) }) +
            chunkEvent({ content: " c" }, { usage: usage(3) })
        )
        void gate.then(() => response.socket?.resetAndDestroy())
      })
      let delivered = 0
      const error = yield* withGrok(
        { baseUrl: `${server.origin}/v1` },
        (grok) =>
          grokError(GrokClient.collect(
            grok.streamChatCompletion(request).pipe(
              Stream.tap(() =>
                Effect.sync(() => {
                  if (++delivered === 3) release()
                })
              )
            )
          ))
      )
      expect(error.reason._tag).toBe("TransportError")
      expect(textOf(error.partial)).toBe("a b c")
      expect(error.partial?.usage).toEqual(usage(3))
      expect(server.requests()).toBe(1)
    }))

  it.live(
    "every cut point of a stream: success only after a whole finish event, otherwise Truncated",
    () =>
      Effect.gen(function*() {
        const events = [ROLE, CONTENT, FINISH, USAGE, DONE]
        const body = events.join("")
        // a cut is a success only at an event boundary at or after the end of the finish event
        const finishEnd = ROLE.length + CONTENT.length + FINISH.length
        const boundaries = new Set<number>()
        let offset = 0
        for (const event of events) boundaries.add(offset += event.length)
        // the cut travels in x-grok-conv-id, so one client (and its connection pool) serves every cut
        const server = yield* testServer((incoming, response) => {
          const cut = Number(incoming.headers["x-grok-conv-id"])
          response.writeHead(200, SSE_HEADERS)
          response.end(body.slice(0, cut))
        })
        const cuts = Array.from({ length: body.length + 1 }, (_, cut) => cut)
        const results = yield* withGrok(
          { baseUrl: `${server.origin}/v1`, maxRetries: 0 },
          (grok) =>
            Effect.forEach(
              cuts,
              (cut) =>
                Effect.exit(GrokClient.collect(grok.streamChatCompletion(request, { conversationId: String(cut) })))
                  .pipe(
                    Effect.map((exit) => ({ cut, exit }))
                  ),
              { concurrency: 8 }
            )
        )
        const problems: Array<string> = []
        let successes = 0
        for (const { cut, exit } of results) {
          const shouldSucceed = cut >= finishEnd && boundaries.has(cut)
          if (Exit.isSuccess(exit)) {
            successes++
            if (!shouldSucceed) problems.push(`cut ${cut}: silent success`)
            else if (textOf(exit.value) !== "Hello") problems.push(`cut ${cut}: text ${textOf(exit.value)}`)
          } else {
            const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")?.error as GrokError | undefined
            if (shouldSucceed) problems.push(`cut ${cut}: failed ${error?.message}`)
            else if (error?.reason._tag !== "StreamError" || error.reason.kind !== "Truncated") {
              problems.push(`cut ${cut}: ${error?.message ?? String(exit.cause)}`)
            }
          }
        }
        expect(problems).toEqual([])
        expect(successes).toBe(3) // after FINISH, after USAGE, after DONE
        expect(server.requests()).toBe(cuts.length)
      }),
    30_000
  )
})

describe("bounded memory through the client", () => {
  const collectGarbage = (() => {
    try {
      v8.setFlagsFromString("--expose-gc")
      return vm.runInNewContext("gc") as () => void
    } catch {
      return () => {}
    }
  })()
  const memory = (): number => {
    const usage = process.memoryUsage()
    return usage.heapUsed + usage.arrayBuffers
  }

  it.live(
    "an endless data: line fails with EventTooLarge (maxEventBytes 1 MiB), memory bounded",
    () =>
      Effect.gen(function*() {
        const limit = 1024 * 1024
        const block = Buffer.alloc(64 * 1024, 0x61)
        let written = 0
        const server = yield* testServer((_, response) => {
          response.writeHead(200, SSE_HEADERS)
          response.write("data: ")
          const pump = (): void => {
            // at most 256 MiB, so a client that never stops cannot hang the test
            while (!response.destroyed && written < 256 * limit) {
              written += block.length
              if (!response.write(block)) return void response.once("drain", pump)
            }
            response.end()
          }
          response.on("close", () => response.removeAllListeners("drain"))
          pump()
        })
        collectGarbage()
        const before = memory()
        let peak = before
        const sampler = setInterval(() => (peak = Math.max(peak, memory())), 1)
        const error = yield* withGrok(
          { baseUrl: `${server.origin}/v1`, maxEventBytes: limit },
          (grok) => grokError(GrokClient.collect(grok.streamChatCompletion(request)))
        ).pipe(Effect.ensuring(Effect.sync(() => clearInterval(sampler))))
        peak = Math.max(peak, memory())
        expect(error.reason).toMatchObject({ _tag: "StreamError", kind: "EventTooLarge" })
        expect(error.isRetryable).toBe(false)
        expect(server.requests()).toBe(1)
        // the client stopped reading soon after the limit: what the server got out is the limit plus
        // socket and stream buffers, nowhere near the 256 MiB it would have sent
        expect(written).toBeGreaterThan(limit)
        expect(written).toBeLessThan(16 * limit)
        // measured here: about 4 MiB (the event buffer, undici's and the socket's chunks, garbage
        // not yet collected); unbounded reading would hold the whole line
        expect(peak - before).toBeLessThan(12 * limit)
      }),
    30_000
  )
})
