/**
 * Runs the real `grokit` executable the way a user would, for end-to-end tests.
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const repositoryRoot = fileURLToPath(new URL("../../../../", import.meta.url))

/** What a `grokit` run printed, and how it ended. */
export interface Outcome {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** The environment of an offline run: no XAI_API_KEY or XAI_BASE_URL (the in-process mock), no colors. */
export const offlineEnvironment = (): NodeJS.ProcessEnv => {
  const environment: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" }
  delete environment.XAI_API_KEY
  delete environment.XAI_BASE_URL
  return environment
}

/** Runs `grokit <args>` to its end. */
export const grokit = (args: ReadonlyArray<string>, environment = offlineEnvironment()): Promise<Outcome> =>
  new Promise((resolve, reject) => {
    const child = spawn("node_modules/.bin/tsx", ["packages/cli/src/bin.ts", ...args], {
      cwd: repositoryRoot,
      env: environment,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    child.once("error", reject)
    child.once("exit", (code) => resolve({ code, stdout, stderr }))
  })
