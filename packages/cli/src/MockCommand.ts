/**
 * `grokit mock`: starts the mock Grok-compatible server of `@grokit/mock` and keeps it running
 * until SIGINT or SIGTERM. Its first line of output says that it is a MOCK, not xAI, and gives
 * the URL to use as `XAI_BASE_URL`.
 *
 * @since 0.1.0
 */
import { MockServer } from "@grokit/mock"
import { Console, Effect } from "effect"
import { CliError, Command, Flag } from "effect/cli"
import * as ServerFlags from "./ServerFlags.ts"

const nonNegative = (name: string) =>
  Flag.filter(
    (value: number) => value >= 0,
    (value: number) => `--${name} must be 0 or more, got ${value}`
  )

/**
 * The flags of `grokit mock`.
 *
 * @since 0.1.0
 * @category flags
 */
export const flags = {
  port: ServerFlags.port(0, "Port to listen on (0 picks a free port)"),
  host: ServerFlags.host("Interface to listen on"),
  latencyMs: Flag.Int("latency-ms").pipe(
    Flag.withDescription("Delay before every chat completion answer, in milliseconds"),
    Flag.withDefault(0),
    nonNegative("latency-ms")
  ),
  tokenDelayMs: Flag.Int("token-delay-ms").pipe(
    Flag.withDescription("Delay between streamed chunks, in milliseconds"),
    Flag.withDefault(0),
    nonNegative("token-delay-ms")
  )
}

/**
 * The `mock` subcommand.
 *
 * @example
 * ```sh
 * grokit mock --port 8080 --token-delay-ms 20
 * # grokit mock: a MOCK Grok-compatible server (not xAI) listening on http://127.0.0.1:8080/v1
 * # Use it with XAI_BASE_URL=http://127.0.0.1:8080/v1
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "mock",
  flags,
  Effect.fnUntraced(function*({ host, latencyMs, port, tokenDelayMs }) {
    const server = yield* MockServer.start({ host, port, latencyMs, tokenDelayMs, record: false }).pipe(
      Effect.catchDefect((cause) =>
        Effect.fail(
          new CliError.UserError({
            cause,
            userMessage: `grokit mock: cannot listen on ${host}:${port}: ${
              cause instanceof Error ? cause.message : String(cause)
            }`
          })
        )
      )
    )
    yield* Console.log(MockServer.banner(server.url))
    yield* Console.log(`Use it with XAI_BASE_URL=${server.url}`)
    return yield* Effect.never
  }, Effect.scoped)
).pipe(
  Command.withDescription(
    "Start a MOCK Grok-compatible server (not xAI) for tests, benchmarks and offline runs. "
      + "It answers deterministically, validates requests as xAI does, and injects faults on request "
      + "(header x-mock-fault)."
  ),
  Command.withExamples([
    { command: "grokit mock --port 8080", description: "Serve the mock on http://127.0.0.1:8080/v1" },
    { command: "grokit mock --token-delay-ms 20", description: "Stream one chunk every 20 ms" }
  ])
)
