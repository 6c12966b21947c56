/**
 * Test support for `GrokClient` over real loopback sockets: the client over undici, a counting TCP
 * proxy (open sockets), tiny `node:http` servers for endings the mock does not produce, and
 * helpers to wait in real time or drive the `TestClock` while real I/O happens.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { GrokClient, type GrokClientOptions, GrokError } from "@grokit/core"
import { Clock, Duration, Effect, Exit, Fiber, Layer, Redacted } from "effect"
import type { Scope } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { TestClock } from "effect/testing"
import * as Http from "node:http"
import * as Net from "node:net"

export const TEST_KEY = Redacted.make("xai-test-key")

/** The client over undici (a fresh dispatcher, destroyed with the layer). */
export const grokLayer = (options: Partial<GrokClientOptions> & { readonly baseUrl: string }) =>
  GrokClient.layer({ apiKey: TEST_KEY, ...options }).pipe(Layer.provide(NodeHttpClient.layerUndici))

/** Runs `f` with a client built for it; the client (and its sockets) close when `f` ends. */
export const withGrok = <A, E, R>(
  options: Partial<GrokClientOptions> & { readonly baseUrl: string },
  f: (grok: GrokClient["Service"]) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, Exclude<R, GrokClient>> =>
  Effect.provide(GrokClient.use(f), grokLayer(options), { local: true }) as Effect.Effect<
    A,
    E,
    Exclude<R, GrokClient>
  >

/** A `transformClient` that adds headers to every request (e.g. `x-mock-fault`). */
export const withHeaders =
  (headers: Readonly<Record<string, string>>) => (client: HttpClient.HttpClient): HttpClient.HttpClient =>
    HttpClient.mapRequest(client, HttpClientRequest.setHeaders(headers))

/** A `transformClient` that counts the requests the client sends (attempts), even when no server answers. */
export const countAttempts = (counter: { attempts: number }) => (client: HttpClient.HttpClient) =>
  HttpClient.tapRequest(client, () => Effect.sync(() => void counter.attempts++))

/** The error of a failed effect, as a `GrokError` (fails the test otherwise). */
export const grokError = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<GrokError, never, R> =>
  Effect.flatMap(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return Effect.die(new Error(`expected a failure, got ${JSON.stringify(exit.value)}`))
    const failure = exit.cause.reasons.find((reason) => reason._tag === "Fail")
    if (failure === undefined || !(failure.error instanceof GrokError)) {
      return Effect.die(new Error(`expected a GrokError, got ${String(exit.cause)}`))
    }
    return Effect.succeed(failure.error)
  })

/** Waits in real time, also under the `TestClock`. */
export const realSleep = (ms: number): Effect.Effect<void> =>
  Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/** Polls `condition` in real time until it holds; dies after `timeoutMs`. */
export const eventually = (condition: () => boolean, what: string, timeoutMs = 2_000): Effect.Effect<void> =>
  Effect.suspend(() => {
    const deadline = Date.now() + timeoutMs
    const loop: Effect.Effect<void> = Effect.suspend(() => {
      if (condition()) return Effect.void
      if (Date.now() > deadline) return Effect.die(new Error(`timed out waiting for: ${what}`))
      return Effect.andThen(realSleep(2), loop)
    })
    return loop
  })

/**
 * Under the `TestClock`: advances the clock in `step`s, letting real I/O run between steps, until
 * the fiber is done (at most `maxSteps` steps). Returns how much test time passed.
 */
export const driveClock = <A, E>(
  fiber: Fiber.Fiber<A, E>,
  options: { readonly stepMillis: number; readonly maxSteps: number }
): Effect.Effect<number> =>
  Effect.gen(function*() {
    let elapsed = 0
    for (let step = 0; step < options.maxSteps; step++) {
      yield* realSleep(5)
      if (fiber.pollUnsafe() !== undefined) return elapsed
      yield* TestClock.adjust(options.stepMillis)
      elapsed += options.stepMillis
    }
    return yield* Effect.die(new Error(`the fiber did not finish within ${options.maxSteps} clock steps`))
  })

/**
 * Runs `self` with a clock that records the duration of every sleep shorter than 60 s (the retry
 * delays, and any timeout a test sets below 60 s), then delegates to the current clock (the
 * `TestClock` under `it.effect`).
 */
export const recordingSleeps = <A, E, R>(
  sleeps: Array<number>,
  self: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Clock.clockWith((inner) => {
    const clock: Clock.Clock = {
      currentTimeMillisUnsafe: () => inner.currentTimeMillisUnsafe(),
      currentTimeMillis: inner.currentTimeMillis,
      currentTimeNanosUnsafe: () => inner.currentTimeNanosUnsafe(),
      currentTimeNanos: inner.currentTimeNanos,
      monotonicTimeNanosUnsafe: () => inner.monotonicTimeNanosUnsafe(),
      monotonicTimeNanos: inner.monotonicTimeNanos,
      sleep: (duration) =>
        Effect.andThen(
          Effect.sync(() => {
            const millis = Duration.toMillis(duration)
            if (millis < 60_000) sleeps.push(millis)
          }),
          inner.sleep(duration)
        )
    }
    return Effect.provideService(self, Clock.Clock, clock)
  })

/**
 * A TCP proxy on 127.0.0.1 in front of `targetPort` that knows how many client connections are
 * open, so a test can see that the client closed its sockets. Closed with the scope.
 */
export interface CountingProxy {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** Connections from the client still open. */
  readonly open: () => number
  /** Connections accepted since the start. */
  readonly accepted: () => number
}

export const countingProxy = (targetPort: number): Effect.Effect<CountingProxy, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => {
      const clients = new Set<Net.Socket>()
      const upstreams = new Set<Net.Socket>()
      let accepted = 0
      const server = Net.createServer((client) => {
        accepted++
        clients.add(client)
        const upstream = Net.connect(targetPort, "127.0.0.1")
        upstreams.add(upstream)
        const kill = () => {
          client.destroy()
          upstream.destroy()
        }
        client.on("close", () => {
          clients.delete(client)
          kill()
        })
        upstream.on("close", () => {
          upstreams.delete(upstream)
          kill()
        })
        client.on("error", kill)
        upstream.on("error", kill)
        client.pipe(upstream)
        upstream.pipe(client)
      })
      return new Promise<{ proxy: CountingProxy; close: () => Promise<void> }>((resolve) => {
        server.listen(0, "127.0.0.1", () => {
          const { port } = server.address() as Net.AddressInfo
          resolve({
            proxy: { origin: `http://127.0.0.1:${port}`, open: () => clients.size, accepted: () => accepted },
            close: () =>
              new Promise<void>((done) => {
                for (const socket of [...clients, ...upstreams]) socket.destroy()
                server.close(() => done())
              })
          })
        })
      })
    }),
    ({ close }) => Effect.promise(close)
  ).pipe(Effect.map(({ proxy }) => proxy))

/**
 * A `node:http` server on 127.0.0.1 answering with `handler`, counting requests; its sockets are
 * destroyed when the scope closes.
 */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  readonly port: number
  readonly requests: () => number
}

export const testServer = (
  handler: (request: Http.IncomingMessage, response: Http.ServerResponse, body: string) => void
): Effect.Effect<TestServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => {
      const sockets = new Set<Net.Socket>()
      let requests = 0
      const server = Http.createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          requests++
          handler(request, response, Buffer.concat(chunks).toString("utf8"))
        })
      })
      server.on("connection", (socket) => {
        sockets.add(socket)
        socket.once("close", () => sockets.delete(socket))
      })
      return new Promise<{ info: TestServer; close: () => Promise<void> }>((resolve) => {
        server.listen(0, "127.0.0.1", () => {
          const { port } = server.address() as Net.AddressInfo
          resolve({
            info: { origin: `http://127.0.0.1:${port}`, port, requests: () => requests },
            close: () =>
              new Promise<void>((done) => {
                for (const socket of sockets) socket.destroy()
                server.close(() => done())
              })
          })
        })
      })
    }),
    ({ close }) => Effect.promise(close)
  ).pipe(Effect.map(({ info }) => info))

/** A port on 127.0.0.1 where nothing listens (bound, then closed). */
export const closedPort: Effect.Effect<number> = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = Net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as Net.AddressInfo
      server.close(() => resolve(port))
    })
  })
)

/** One SSE chunk of a chat completion, as xAI writes it. */
export const chunkEvent = (
  delta: Record<string, unknown>,
  options?: { readonly finishReason?: string; readonly usage?: Record<string, unknown> }
): string =>
  `data: ${
    JSON.stringify({
      id: "chunk-1",
      object: "chat.completion.chunk",
      created: 1_767_225_600,
      model: "grok-4.3",
      choices: [{
        index: 0,
        delta,
        ...(options?.finishReason === undefined ? {} : { finish_reason: options.finishReason })
      }],
      ...(options?.usage === undefined ? {} : { usage: options.usage })
    })
  }\n\n`

export const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" } as const
