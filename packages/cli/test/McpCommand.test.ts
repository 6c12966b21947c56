import { assert, describe, it } from "@effect/vitest"
import * as McpCommand from "@grokit/cli/McpCommand"
import { startMockServer } from "@grokit/mock"
import { Option } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"

const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url))

const grokit = (args: ReadonlyArray<string>, env: Record<string, string | undefined>): ChildProcess => {
  const environment: Record<string, string> = {}
  for (const [key, value] of Object.entries({ ...process.env, ...env })) {
    if (value !== undefined) environment[key] = value
  }
  return spawn("node_modules/.bin/tsx", ["packages/cli/src/bin.ts", ...args], {
    cwd: repositoryRoot,
    env: environment,
    stdio: ["pipe", "pipe", "pipe"]
  })
}

/** Resolves with the URL `grokit mcp --http` announces on stderr. */
const announcedUrl = (child: ChildProcess, stderr: { text: string }): Promise<string> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL announced; stderr: ${stderr.text}`)), 30_000)
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr.text += chunk.toString("utf8")
      const match = /serving MCP \(Streamable HTTP\) at (http:\/\/\S+)/.exec(stderr.text)
      if (match !== null) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    })
    child.once("exit", (code) => reject(new Error(`grokit exited with ${code}; stderr: ${stderr.text}`)))
  })

const stop = async (child: ChildProcess) => {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, "exit")
    child.kill("SIGTERM")
    await exited
  }
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(body)
  })

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "cli-test", version: "0" } }
}

describe("grokit mcp", () => {
  it("--http serves MCP on 127.0.0.1, answering from the Grok of XAI_BASE_URL", async () => {
    const mock = await startMockServer({ record: false })
    const child = grokit(["mcp", "--http", "--port", "0"], { XAI_API_KEY: undefined, XAI_BASE_URL: mock.url })
    const stderr = { text: "" }
    let stdout = ""
    child.stdout!.on("data", (chunk: Buffer) => stdout += chunk.toString("utf8"))
    try {
      const url = await announcedUrl(child, stderr)
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/)
      assert.include(stderr.text, mock.url)
      const initialized = await post(url, initialize)
      assert.strictEqual(initialized.status, 200)
      const session = initialized.headers.get("mcp-session-id")!
      const result = await initialized.json() as { result: { serverInfo: { name: string } } }
      assert.strictEqual(result.result.serverInfo.name, "grokit")
      const headers = { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" }
      assert.strictEqual(
        (await post(url, { jsonrpc: "2.0", method: "notifications/initialized" }, headers)).status,
        202
      )
      const listed = await post(
        url,
        { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "list_models", arguments: {} } },
        headers
      )
      assert.include(await listed.text(), "grok-4.3")
      const foreign = await post(url, initialize, { origin: "https://evil.example" })
      assert.strictEqual(foreign.status, 403)
    } finally {
      await stop(child)
      await mock.close()
    }
    assert.strictEqual(stdout, "")
  }, 40_000)

  it("--http requires the bearer token of GROKIT_MCP_TOKEN", async () => {
    const child = grokit(["mcp", "--http", "--port", "0"], {
      XAI_API_KEY: undefined,
      XAI_BASE_URL: undefined,
      GROKIT_MCP_TOKEN: "cli-secret"
    })
    const stderr = { text: "" }
    try {
      const url = await announcedUrl(child, stderr)
      assert.include(stderr.text, "MOCK")
      assert.strictEqual((await post(url, initialize)).status, 401)
      assert.strictEqual((await post(url, initialize, { authorization: "Bearer wrong" })).status, 401)
      assert.strictEqual((await post(url, initialize, { authorization: "Bearer cli-secret" })).status, 200)
    } finally {
      await stop(child)
    }
  }, 40_000)

  it("rejects a bad flag with a clear error", async () => {
    const child = grokit(["mcp", "--http", "--port", "70000"], {})
    let stderr = ""
    child.stderr!.on("data", (chunk: Buffer) => stderr += chunk.toString("utf8"))
    const [code] = await once(child, "exit")
    assert.strictEqual(code, 1)
    assert.include(stderr, "--port must be between 0 and 65535, got 70000")
  }, 30_000)

  it("rejects a bad --rate-limit with a clear error", async () => {
    const child = grokit(["mcp", "--http", "--rate-limit", "fast"], {})
    let stderr = ""
    child.stderr!.on("data", (chunk: Buffer) => stderr += chunk.toString("utf8"))
    const [code] = await once(child, "exit")
    assert.strictEqual(code, 1)
    assert.include(stderr, "--rate-limit must be N/SECONDS (e.g. 60/10), off or 0, got \"fast\"")
  }, 30_000)

  it("--http --rate-limit N/SECONDS answers 429 with Retry-After past N", async () => {
    const child = grokit(["mcp", "--http", "--port", "0", "--rate-limit", "2/60"], {
      XAI_API_KEY: undefined,
      XAI_BASE_URL: undefined
    })
    const stderr = { text: "" }
    try {
      const url = await announcedUrl(child, stderr)
      assert.strictEqual((await post(url, initialize)).status, 200)
      assert.strictEqual((await post(url, initialize)).status, 200)
      const refused = await post(url, initialize)
      assert.strictEqual(refused.status, 429)
      assert.match(refused.headers.get("retry-after") ?? "", /^\d+$/)
      const body = await refused.json() as { error: { code: number; message: string } }
      assert.strictEqual(body.error.code, -32000)
      assert.include(body.error.message, "rate limit exceeded: at most 2 requests per 60 s")
    } finally {
      await stop(child)
    }
  }, 40_000)
})

describe("parseRateLimit", () => {
  it("reads N/SECONDS, off and 0; refuses the rest", () => {
    assert.deepStrictEqual(McpCommand.parseRateLimit("60/10"), Option.some({ requests: 60, perSeconds: 10 }))
    assert.deepStrictEqual(McpCommand.parseRateLimit(" 5 / 0.5 "), Option.some({ requests: 5, perSeconds: 0.5 }))
    for (const off of ["off", "OFF", "0", "0/10"]) {
      assert.deepStrictEqual(McpCommand.parseRateLimit(off), Option.some(false))
    }
    for (const bad of ["", "60", "60/0", "-1/10", "a/b", "60/10/1", "1e3/10"]) {
      assert.isTrue(Option.isNone(McpCommand.parseRateLimit(bad)), bad)
    }
  })
})
