/**
 * @grokit/cli: the `grokit` command, and the example runner it and the examples share.
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.ts"
export * as Example from "./Example.ts"
export * as MockCommand from "./MockCommand.ts"
export * as Render from "./Render.ts"
