/**
 * The flags every `grokit` command that starts a server shares: the port and the interface.
 *
 * @since 0.1.0
 */
import { Flag } from "effect/cli"

/**
 * `--port N`: 0 to 65535 (0 picks a free port).
 *
 * @since 0.1.0
 * @category flags
 */
export const port = (defaultPort: number, description: string) =>
  Flag.Int("port").pipe(
    Flag.withDescription(description),
    Flag.withDefault(defaultPort),
    Flag.filter(
      (value) => value >= 0 && value <= 65_535,
      (value) => `--port must be between 0 and 65535, got ${value}`
    )
  )

/**
 * `--host H`: the interface to listen on, 127.0.0.1 by default.
 *
 * @since 0.1.0
 * @category flags
 */
export const host = (description: string) =>
  Flag.String("host").pipe(Flag.withDescription(description), Flag.withDefault("127.0.0.1"))
