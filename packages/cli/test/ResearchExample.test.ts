/**
 * The research example end to end, offline: `grokit run research-agent` starts the mock and a
 * loopback feed server, reads the feeds through the guarded fetcher, searches on the mock's
 * `/v1/responses`, and prints the sources of both paths and the plan's warnings.
 */
import { describe, expect, it } from "@effect/vitest"
import { grokit } from "./support/Grokit.ts"

describe("examples/08-research-agent", () => {
  it("reads local feeds and searches the mock, printing sources of both paths and the warnings", async () => {
    const { code, stdout, stderr } = await grokit(["run", "research-agent"])
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
