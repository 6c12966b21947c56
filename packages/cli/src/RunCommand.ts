/**
 * `grokit run <example>`: runs an example agent, showing each step, tool call and result as it
 * happens (a spinner while tools run, on a terminal), and the usage and cost at the end. Offline
 * against an in-process mock unless `XAI_API_KEY` is set.
 *
 * @since 0.1.0
 */
import { Console, Effect } from "effect"
import { Argument, CliError, Command } from "effect/cli"
import * as Example from "./Example.ts"
import * as ExampleCatalog from "./ExampleCatalog.ts"
import * as Render from "./Render.ts"

/**
 * The `run` subcommand.
 *
 * @example
 * ```sh
 * grokit run custom-tools
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "run",
  {
    example: Argument.String("example").pipe(
      Argument.withDescription("The example to run: its name (custom-tools), file name or number")
    )
  },
  Effect.fnUntraced(function*({ example }) {
    const entry = ExampleCatalog.find(example)
    if (entry === undefined) {
      const known = ExampleCatalog.list().map((candidate) => `  ${candidate.name}`).join("\n")
      return yield* Effect.fail(
        new CliError.UserError({
          cause: new Error(`unknown example ${example}`),
          userMessage: `grokit run: no example named ${JSON.stringify(example)}. The examples are:\n${known}`
        })
      )
    }
    const loaded = yield* ExampleCatalog.load(entry)
    yield* Example.run(loaded).pipe(Render.reportFailure)
  })
).pipe(Command.withDescription("Run an example agent and show its steps, tool calls, usage and cost"))

/**
 * `grokit examples`: lists the examples.
 *
 * @since 0.1.0
 * @category commands
 */
export const listCommand = Command.make(
  "examples",
  {},
  () =>
    Effect.forEach(
      ExampleCatalog.list(),
      (entry) => Console.log(`${String(entry.number).padStart(2, "0")}  ${entry.name}`),
      {
        discard: true
      }
    )
).pipe(Command.withDescription("List the example agents `grokit run` can run"))
