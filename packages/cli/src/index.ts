/**
 * @grokit/cli: the `grokit` command. `bin.ts` is the executable; the command tree is importable
 * so that other programs (and tests) can run it.
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.ts"
export * as MockCommand from "./MockCommand.ts"
