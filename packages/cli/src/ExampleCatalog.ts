/**
 * The examples `grokit run` knows: the numbered programs in the repository's `examples/`
 * folder (`03-custom-tools.ts` runs as `custom-tools`, `03-custom-tools` or `3`).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { readdirSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"
import type { AnyExample } from "./Example.ts"

/**
 * The folder of the examples.
 *
 * @since 0.1.0
 * @category constants
 */
export const folder = fileURLToPath(new URL("../../../examples/", import.meta.url))

/**
 * One example file.
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry {
  readonly number: number
  readonly name: string
  readonly file: string
}

/**
 * The examples, in order.
 *
 * @since 0.1.0
 * @category accessors
 */
export const list = (): ReadonlyArray<Entry> =>
  readdirSync(folder)
    .flatMap((file) => {
      const match = /^(\d+)-([a-z0-9-]+)\.ts$/.exec(file)
      return match === null ? [] : [{ number: Number(match[1]), name: match[2]!, file }]
    })
    .sort((a, b) => a.number - b.number)

/**
 * Finds an example by name, file name or number.
 *
 * @since 0.1.0
 * @category accessors
 */
export const find = (query: string): Entry | undefined => {
  const wanted = query.trim().replace(/\.ts$/, "")
  return list().find((entry) =>
    entry.name === wanted || entry.file === `${wanted}.ts` || String(entry.number) === wanted.replace(/^0+/, "")
  )
}

/**
 * Loads an example module and returns its `example` export.
 *
 * @since 0.1.0
 * @category loading
 */
export const load = (entry: Entry): Effect.Effect<AnyExample, Error> =>
  Effect.tryPromise({
    try: async () => {
      const module = (await import(pathToFileURL(`${folder}${entry.file}`).href)) as { readonly example?: AnyExample }
      if (module.example === undefined) throw new Error(`${entry.file} has no \`example\` export`)
      return module.example
    },
    catch: (cause) => cause instanceof Error ? cause : new Error(String(cause))
  })
