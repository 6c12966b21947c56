/**
 * `grokit mcp`: serves Grok as MCP tools (`create_chat_completion`, `list_models`, `get_model`;
 * see `@grokit/mcp`).
 *
 * - Over stdio by default, for an MCP client that starts the server itself: stdout carries only
 *   JSON-RPC messages; every log and notice goes to stderr; the server exits when stdin closes.
 * - Over Streamable HTTP with `--http`: bound to 127.0.0.1 unless `--host` says otherwise, at
 *   `http://HOST:PORT/mcp`, with the Host, Origin, token, rate-limit and body-size checks of
 *   `HttpGuard` (`--rate-limit N/SECONDS`, default 60/10, `off` to turn it off).
 *
 * Grok is chosen from the environment: `XAI_API_KEY` -> xAI; no key but `XAI_BASE_URL` -> that
 * server (e.g. `grokit mock`); neither -> a mock started in-process, which the first stderr line
 * says.
 *
 * @since 0.1.0
 */
import { GrokMcpServer, HttpGuard } from "@grokit/mcp"
import { GrokEnvironment } from "@grokit/mock"
import { Config, Effect, Layer, Logger, Option, Redacted } from "effect"
import { CliError, Command, Flag } from "effect/cli"
import { HttpServer } from "effect/http"
import * as ServerFlags from "./ServerFlags.ts"

/**
 * The flags of `grokit mcp`.
 *
 * @since 0.1.0
 * @category flags
 */
export const flags = {
  http: Flag.Boolean("http").pipe(
    Flag.withDescription("Serve Streamable HTTP instead of stdio"),
    Flag.withDefault(false)
  ),
  port: ServerFlags.port(3333, "HTTP port (default 3333; 0 picks a free port)"),
  host: ServerFlags.host("HTTP interface to listen on (default 127.0.0.1: keep loopback unless you need otherwise)"),
  path: Flag.String("path").pipe(
    Flag.withDescription("HTTP endpoint path (default /mcp)"),
    Flag.withDefault("/mcp"),
    Flag.filter(
      (path) => /^\/[A-Za-z0-9._~\-/]*$/.test(path),
      (path) => `--path must start with / and use URL path characters, got ${JSON.stringify(path)}`
    )
  ),
  token: Flag.Redacted("token").pipe(
    Flag.withDescription("Bearer token HTTP clients must send (default: env GROKIT_MCP_TOKEN; none: no auth)"),
    Flag.withFallbackConfig(Config.Redacted("GROKIT_MCP_TOKEN")),
    Flag.optional
  ),
  allowHost: Flag.String("allow-host").pipe(
    Flag.withDescription("Host header value to accept besides loopback and --host (repeatable)"),
    Flag.atLeast(0)
  ),
  allowOrigin: Flag.String("allow-origin").pipe(
    Flag.withDescription("Browser Origin to accept besides loopback origins (repeatable)"),
    Flag.atLeast(0)
  ),
  rateLimit: Flag.String("rate-limit").pipe(
    Flag.withDescription(
      "Per-client HTTP rate limit, N requests per SECONDS with bursts of N (default 60/10; off or 0 turns it off)"
    ),
    Flag.withDefault("60/10"),
    Flag.filterMap(
      (value) => parseRateLimit(value),
      (value) => `--rate-limit must be N/SECONDS (e.g. 60/10), off or 0, got ${JSON.stringify(value)}`
    )
  )
}

/**
 * Parses a `--rate-limit` value: `N/SECONDS` (N requests per SECONDS seconds), or `off` / `0` /
 * `0/SECONDS` for no limit.
 *
 * @since 0.1.0
 * @category flags
 */
export const parseRateLimit = (value: string): Option.Option<HttpGuard.RateLimitOptions | false> => {
  const text = value.trim().toLowerCase()
  if (text === "off" || text === "0") return Option.some(false)
  const match = /^(\d{1,9})\s*\/\s*(\d{1,9}(?:\.\d{1,3})?)$/.exec(text)
  if (match === null) return Option.none()
  const requests = Number(match[1])
  const perSeconds = Number(match[2])
  if (requests === 0) return Option.some(false)
  return perSeconds > 0 ? Option.some({ requests, perSeconds }) : Option.none()
}

const notice = (line: string): Effect.Effect<void> => Effect.sync(() => process.stderr.write(`${line}\n`))

/** Keeps stdout for JSON-RPC: anything printed with `console.log`/`info`/`debug` goes to stderr. */
const reserveStdout = Effect.sync(() => {
  const toStderr = (...args: ReadonlyArray<unknown>) => console.error(...args)
  console.log = toStderr
  console.info = toStderr
  console.debug = toStderr
})

/** Completes when stdin ends (the MCP client closed it: time to exit). */
const stdinClosed = Effect.callback<void>((resume) => {
  const done = () => resume(Effect.void)
  process.stdin.once("end", done)
  process.stdin.once("close", done)
  return Effect.sync(() => {
    process.stdin.off("end", done)
    process.stdin.off("close", done)
  })
})

const environmentLayer = GrokEnvironment.layer()

const environmentNotice = Effect.gen(function*() {
  const environment = yield* GrokEnvironment.GrokEnvironment
  yield* notice(`grokit mcp: ${environment.notice}`)
})

const serveStdio = Effect.gen(function*() {
  yield* reserveStdout
  yield* Layer.launch(
    Layer.effectDiscard(environmentNotice).pipe(
      Layer.merge(GrokMcpServer.layerStdio),
      Layer.provide(environmentLayer)
    )
  ).pipe(Effect.raceFirst(stdinClosed))
})

const serveHttp = (options: {
  readonly port: number
  readonly host: string
  readonly path: string
  readonly token: Option.Option<Redacted.Redacted<string>>
  readonly allowHost: ReadonlyArray<string>
  readonly allowOrigin: ReadonlyArray<string>
  readonly rateLimit: HttpGuard.RateLimitOptions | false
}) =>
  Effect.gen(function*() {
    const path = options.path as `/${string}`
    const server = GrokMcpServer.layerHttp({
      port: options.port,
      host: options.host,
      path,
      token: Option.getOrUndefined(options.token),
      allowedHosts: options.allowHost,
      allowedOrigins: options.allowOrigin,
      rateLimit: options.rateLimit
    })
    const announce = Effect.gen(function*() {
      yield* environmentNotice
      const http = yield* HttpServer.HttpServer
      const url = `${HttpServer.formatAddress(http.address)}${path}`
      yield* notice(`grokit mcp: serving MCP (Streamable HTTP) at ${url}`)
      if (Option.isNone(options.token)) {
        yield* notice(
          HttpGuard.isLoopbackHostname(HttpGuard.hostnameOf(options.host) ?? options.host)
            ? "grokit mcp: no token: any local process can call it (set --token or GROKIT_MCP_TOKEN)"
            : `grokit mcp: WARNING: listening on ${options.host} without a token: anyone who can reach it can ` +
              "spend your xAI credits (set --token or GROKIT_MCP_TOKEN)"
        )
      }
    })
    yield* Layer.launch(
      Layer.effectDiscard(announce).pipe(
        Layer.provideMerge(server),
        Layer.provide(environmentLayer)
      )
    ).pipe(
      Effect.catchTag("ServeError", (error) =>
        Effect.fail(
          new CliError.UserError({
            cause: error,
            userMessage: `grokit mcp: cannot listen on ${options.host}:${options.port}: ${
              error.cause instanceof Error ? error.cause.message : String(error.cause)
            }`
          })
        ))
    )
  })

/**
 * The `mcp` subcommand.
 *
 * @example
 * ```sh
 * grokit mcp                              # stdio, for an MCP client's configuration
 * grokit mcp --http --port 3333           # http://127.0.0.1:3333/mcp
 * GROKIT_MCP_TOKEN=secret grokit mcp --http
 * grokit mcp --http --rate-limit 120/60   # at most 120 requests a minute per client
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "mcp",
  flags,
  Effect.fnUntraced(function*(options) {
    if (options.http) return yield* serveHttp(options)
    return yield* serveStdio
  }, Effect.provideService(Logger.LogToStderr, true))
).pipe(
  Command.withDescription(
    "Serve Grok as MCP tools (create_chat_completion, list_models, get_model) over stdio, or over "
      + "Streamable HTTP with --http. Without XAI_API_KEY it answers from XAI_BASE_URL or an in-process mock."
  ),
  Command.withExamples([
    { command: "grokit mcp", description: "Serve over stdio (what an MCP client's configuration runs)" },
    { command: "grokit mcp --http --port 3333", description: "Serve http://127.0.0.1:3333/mcp" }
  ])
)
