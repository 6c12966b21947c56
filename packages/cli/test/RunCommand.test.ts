/**
 * End-to-end tests of `grokit run`, `grokit chat` and the demo: the real executable, offline
 * (no XAI_API_KEY: the in-process mock), reading what a user would see.
 */
import { describe, expect, it } from "@effect/vitest"
import { grokit, offlineEnvironment } from "./support/Grokit.ts"

describe("grokit run", () => {
  it("runs the demo (custom tools) offline: says it is a mock first, shows tool calls, results and cost", async () => {
    const { code, stdout } = await grokit(["run", "custom-tools"])
    expect(code).toBe(0)
    const lines = stdout.split("\n")
    expect(lines[0]).toMatch(
      /^No XAI_API_KEY: running offline against a MOCK Grok server at http:\/\/127\.0\.0\.1:\d+\/v1/
    )
    expect(stdout).toContain("→ get_weather {\"city\":\"Paris\"}")
    expect(stdout).toContain("→ calculate {\"expression\":\"(18 * 9 / 5) + 32\"}")
    expect(stdout).toMatch(/← get_weather \{"city":"Paris","celsius":18,"conditions":"light rain"\}/)
    expect(stdout).toMatch(/← calculate \{"expression":"\(18 \* 9 \/ 5\) \+ 32","value":64\.4\}/)
    expect(stdout).toMatch(/assistant: .*light rain.*64\.4/)
    expect(stdout).toMatch(/✔ done in 2 steps · \d+ tokens .* · \$\d+\.\d{6}/)
  }, 60_000)

  for (const name of ["chat", "streaming", "parallel-tools", "structured-output", "approval"]) {
    it(`runs the ${name} example offline to a completed answer`, async () => {
      const { code, stdout, stderr } = await grokit(["run", name])
      expect(stderr).toBe("")
      expect(code).toBe(0)
      expect(stdout).toMatch(/✔ done in \d+ steps?/)
    }, 60_000)
  }

  it("the approval example pauses, saves and resumes, approving the small transfer only", async () => {
    const { stdout } = await grokit(["run", "6"])
    expect(stdout).toContain("→ approved")
    expect(stdout).toContain("→ rejected ($2500 is above the $100 limit)")
    expect(stdout).toMatch(/run paused: state saved as \d+ bytes of JSON, restored, resumed/)
    expect(stdout).toContain("TX-1: $40 sent to Alice")
  }, 60_000)

  it("lists the examples when the name is unknown", async () => {
    const { code, stderr, stdout } = await grokit(["run", "no-such-example"])
    expect(code).toBe(1)
    expect(stdout + stderr).toContain("no example named \"no-such-example\"")
    expect(stdout + stderr).toContain("custom-tools")
  }, 60_000)
})

describe("grokit chat", () => {
  it("streams an answer offline, with the environment on stderr", async () => {
    const { code, stderr, stdout } = await grokit(["chat", "Hello there"])
    expect(code).toBe(0)
    expect(stdout.trim()).toBe("You said: Hello there")
    expect(stderr).toContain("running offline against a MOCK Grok server")
    expect(stderr).toMatch(/✔ done in 1 step/)
  }, 60_000)

  it("says the server is unreachable, in one line", async () => {
    const environment = { ...offlineEnvironment(), XAI_BASE_URL: "http://127.0.0.1:9/v1" }
    const { code, stderr } = await grokit(["chat", "hi"], environment)
    expect(code).toBe(1)
    expect(stderr).toMatch(/grokit: error: cannot reach the Grok server: .*ECONNREFUSED/)
  }, 60_000)

  it("says what to set when the key is missing for xAI", async () => {
    const environment = { ...offlineEnvironment(), XAI_BASE_URL: "https://api.x.ai/v1" }
    const { code, stderr } = await grokit(["chat", "hi"], environment)
    expect(code).toBe(1)
    expect(stderr).toContain("XAI_API_KEY is not set")
  }, 60_000)

  it("refuses a bad flag with the rule", async () => {
    const { code, stderr, stdout } = await grokit(["chat", "--temperature", "5", "hi"])
    expect(code).toBe(1)
    expect(stdout + stderr).toContain("--temperature must be between 0 and 2, got 5")
  }, 60_000)
})
