/**
 * The `grokit` command tree. Each subcommand lives in its own module (`MockCommand`, ...) and is
 * listed here; add new ones (`chat`, `run`, `mcp`) to `subcommands`.
 *
 * @since 0.1.0
 */
import { Command } from "effect/cli"
import * as ChatCommand from "./ChatCommand.ts"
import * as McpCommand from "./McpCommand.ts"
import * as MockCommand from "./MockCommand.ts"
import * as RunCommand from "./RunCommand.ts"

/**
 * The version `grokit --version` prints.
 *
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

/**
 * The root command, `grokit`, with its subcommands.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("grokit").pipe(
  Command.withDescription("grokit: agents on xAI's Grok, written on Effect"),
  Command.withSubcommands([
    ChatCommand.command,
    RunCommand.command,
    RunCommand.listCommand,
    McpCommand.command,
    MockCommand.command
  ])
)

/**
 * Runs `grokit` with the arguments of the `Stdio` service (the process arguments under Node).
 *
 * @since 0.1.0
 * @category running
 */
export const run = Command.run(command, { version })
