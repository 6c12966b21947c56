/**
 * A Grok-compatible HTTP server for tests, benchmarks and offline runs. It is NOT xAI: it
 * answers with a deterministic script or policy, on `127.0.0.1`, and says so when the CLI starts
 * it.
 *
 * Routes (base path `/v1`):
 * - `POST /v1/chat/completions`: a `chat.completion` JSON body, or SSE when `stream: true`, in
 *   xAI's exact stream shape (role on the first delta, content pieces or one chunk with every
 *   tool call whole, a finish chunk, a `choices: []` usage chunk with
 *   `stream_options.include_usage`, then `data: [DONE]`).
 * - `POST /v1/responses`: the Responses API subset that server-side search uses, JSON or SSE
 *   events, with simulated `web_search` / `x_search` over `MockSearchCorpus` and `url_citation`
 *   annotations, and function tools (see `MockResponses`; validated with the strict
 *   `ResponsesRequest` Schema: 401, 422, 404, 400 as for chat).
 * - `GET /v1/models` and `GET /v1/models/{id}`.
 * - anything else: 404 `{"code":"Some requested entity was not found","error":"No handler found on route. ..."}`.
 *
 * Validation answers as xAI does, in this order: a missing `Authorization: Bearer <key>` is 401
 * (and a key other than the `apiKey` option is 400 "Incorrect API key provided"); then the
 * faults of the request apply (see `MockFault`); a body that is not JSON is 422; any
 * `search_parameters` is 410 (Live Search was removed); a body that fails the strict
 * `ChatCompletionRequest` Schema of `@grokit/core` is 422 with one line per issue; an unknown
 * model is 404; what `refusals` finds (penalties or `stop` on reasoning models,
 * `reasoning_effort` on grok-4.20, empty content, `name` on non-user messages, more than 128
 * tools) is 400; a `tool_choice` naming a function that is not in `tools` is 400. Error bodies
 * are `{"code": "<gRPC status text>", "error": "<message>"}`, except the 410's `{"error": ...}`.
 *
 * Answers: each valid chat request takes the next entry of its script queue (`MockScript`), then
 * the `policy` option, then the built-in deterministic policy (`MockPolicy`). A text answer
 * longer than `max_completion_tokens` (or `max_tokens`) words is cut there, with
 * `finish_reason: "length"`. Ids come from counters (`00000000-0000-4000-8000-000000000001`,
 * `call_00000001`), `created` is fixed.
 *
 * Usage: tokens are whitespace-separated words (plus 4 per message, 256 per image, 10 plus the
 * description's words plus 4 per property per tool). `cached_tokens` counts every message but
 * the last. Reasoning models report `reasoning_tokens` (the words of `reasoning_content`, or
 * 10 + `completion_tokens` when the reasoning is hidden; 0 with `reasoning_effort: "none"`), and
 * `total_tokens = prompt + completion + reasoning` as on xAI. The cost is
 * `cost_in_usd_ticks = 2000 × (prompt − cached) + 500 × cached + 5000 × (completion + reasoning)`,
 * i.e. $0.20 per million input tokens, $0.05 cached, $0.50 output (10^10 ticks per dollar).
 *
 * @since 0.1.0
 */
import type { ChatCompletionRequest } from "@grokit/core"
import { Effect } from "effect"
import type { Scope } from "effect"
import { listen } from "./internal/server.ts"
import type * as MockFault from "./MockFault.ts"
import type * as MockScript from "./MockScript.ts"

/**
 * How to start a mock server. Every field is optional.
 *
 * @since 0.1.0
 * @category models
 */
export interface MockServerOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number | undefined
  /** Interface to listen on; default `127.0.0.1`. */
  readonly host?: string | undefined
  /** When set, a request whose bearer token differs gets 400 "Incorrect API key provided". */
  readonly apiKey?: string | undefined
  /** Model ids to serve; default `MockModels.defaultModelIds`. */
  readonly models?: ReadonlyArray<string> | undefined
  /** The initial default script queue (restored by `reset`). */
  readonly script?: ReadonlyArray<MockScript.ScriptEntry> | undefined
  /** The initial fault plan (restored by `reset`). */
  readonly faults?: MockFault.FaultPlan | undefined
  /** Delay before the headers of every chat completion answer, in ms; default 0. */
  readonly latencyMs?: number | undefined
  /** Delay between stream events, in ms; default 0 (the whole stream is written at once). */
  readonly tokenDelayMs?: number | undefined
  /** Whether to record requests in `handle.requests`; default true. Turn off for long benchmarks. */
  readonly record?: boolean | undefined
  /** The `created` stamp of every completion; default 1767225600 (2026-01-01). */
  readonly created?: number | undefined
  /**
   * Answers a valid request when its script queue is empty; return `undefined` to let the
   * built-in policy answer.
   */
  readonly policy?: ((request: ChatCompletionRequest) => MockScript.ScriptEntry | undefined) | undefined
}

/**
 * A request as the mock received it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest {
  readonly method: string
  /** The path without the query, e.g. `/v1/chat/completions`. */
  readonly path: string
  /** Every header except `authorization`, with lower-case names. */
  readonly headers: { readonly [name: string]: string | ReadonlyArray<string> | undefined }
  /** The parsed JSON body; `undefined` when the body is empty or not JSON. */
  readonly body: unknown
  /** The raw body text. */
  readonly text: string
}

/**
 * A running mock server.
 *
 * @since 0.1.0
 * @category models
 */
export interface MockServerHandle {
  /** The base URL, including `/v1`, e.g. `http://127.0.0.1:43121/v1`. Use it as `XAI_BASE_URL`. */
  readonly url: string
  /** The URL without `/v1`, e.g. `http://127.0.0.1:43121`. */
  readonly origin: string
  readonly host: string
  readonly port: number
  /** Every request received since the start or the last `reset`, oldest first. */
  readonly requests: ReadonlyArray<RecordedRequest>
  /** How many requests arrived since the start or the last `reset` (counted even without recording). */
  readonly requestCount: number
  /** Appends entries to the default script queue. */
  readonly enqueue: (...entries: ReadonlyArray<MockScript.ScriptEntry>) => void
  /** Appends entries to the named queue that requests with `x-mock-script: <name>` take from. */
  readonly enqueueFor: (name: string, ...entries: ReadonlyArray<MockScript.ScriptEntry>) => void
  /** Replaces the fault plan; no argument clears it. */
  readonly setFaults: (plan?: MockFault.FaultPlan) => void
  /** Back to the state at start: options' script and faults, no requests, counters at zero. */
  readonly reset: () => void
}

/**
 * A running mock server that its owner closes (the Promise API).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClosableMockServer extends MockServerHandle {
  /** Stops listening and destroys every open socket, stalled ones included. */
  readonly close: () => Promise<void>
}

/**
 * Starts a mock server for the life of the scope; closing the scope closes the server and
 * destroys its open sockets.
 *
 * @example
 * ```ts
 * import { MockScript, MockServer } from "@grokit/mock"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const server = yield* MockServer.start()
 *   server.enqueue(MockScript.text("Hello"))
 *   const response = yield* Effect.promise(() =>
 *     fetch(`${server.url}/chat/completions`, {
 *       method: "POST",
 *       headers: { authorization: "Bearer test", "content-type": "application/json" },
 *       body: JSON.stringify({ model: "grok-4.3", messages: [{ role: "user", content: "Hi" }] })
 *     }).then((response) => response.json())
 *   )
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = (options?: MockServerOptions): Effect.Effect<MockServerHandle, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => listen(options)),
    (server) => Effect.promise(() => server.close())
  )

/**
 * Starts a mock server outside Effect; the caller closes it.
 *
 * @example
 * ```ts
 * import { startMockServer } from "@grokit/mock"
 *
 * const server = await startMockServer({ record: false })
 * // ... point a client at server.url ...
 * await server.close()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const startMockServer = (options?: MockServerOptions): Promise<ClosableMockServer> => listen(options)

/**
 * The line a program prints when it starts the mock, so nobody mistakes it for Grok.
 *
 * @example
 * ```ts
 * import { MockServer } from "@grokit/mock"
 *
 * MockServer.banner("http://127.0.0.1:8080/v1")
 * // => "grokit mock: a MOCK Grok-compatible server (not xAI) listening on http://127.0.0.1:8080/v1"
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const banner = (url: string): string =>
  `grokit mock: a MOCK Grok-compatible server (not xAI) listening on ${url}`
