/**
 * The research example end to end, offline: `grokit run research-agent` starts the mock and a
 * loopback feed server, reads the feeds through the guarded fetcher, searches on the mock's
 * `/v1/responses`, and prints the sources of both paths and the plan's warnings.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url))

const runExample = (): Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }> =>
  new Promise((resolve, reject) => {
    const environment: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" }
    delete environment.XAI_API_KEY
    delete environment.XAI_BASE_URL
    const child = spawn("node_modules/.bin/tsx", ["packages/cli/src/bin.ts", "run", "research-agent"], {
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

describe("examples/08-research-agent", () => {
  it("reads local feeds and searches the mock, printing sources of both paths and the warnings", async () => {
    const { code, stdout, stderr } = await runExample()
    expect(stderr).toBe("")
    expect(code).toBe(0)
    expect(stdout.split("\n")[0]).toMatch(/^No XAI_API_KEY: running offline against a MOCK Grok server/)
    expect(stdout).toContain("→ read_rss_feeds")
    expect(stdout).toMatch(/source \(tool\): https:\/\/energy-wire\.example\/solar-records — Solar farms break/)
    expect(stdout).not.toContain("old-story")
    expect(stdout).toMatch(/source \(web_search\): https:\/\/news\.example\.com\/2026\/10\/12\/solar-record-europe/)
    expect(stdout).toMatch(/source \(x_search\): https:\/\/x\.com\/energy_daily\//)
    expect(stdout).toContain("warning: search_parameters.sources[1].safe_search")
    expect(stdout).toMatch(/✔ done in 2 steps/)
  }, 60_000)
})
