/**
 * The stdio transport, spoken to raw (reliability.md section 6, item 22): nothing but JSON-RPC on
 * stdout, every line one message, every request answered exactly once through 1,000 fuzzed lines
 * (garbage included), logs and notices on stderr, and exit when stdin closes.
 */
import { assert, describe, it } from "@effect/vitest"
import { type ClosableMockServer, startMockServer } from "@grokit/mock"
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { once } from "node:events"
import { afterAll, beforeAll } from "vitest"
import { makeFuzz, sameId } from "./support/Fuzz.ts"
import { repositoryRoot } from "./support/McpHarness.ts"

interface Session {
  readonly child: ChildProcessWithoutNullStreams
  /** Every stdout line, as written. */
  readonly lines: Array<string>
  readonly stderr: () => string
  readonly send: (line: string) => void
  /** Resolves once `predicate` holds for the lines read so far. */
  readonly until: (predicate: (lines: ReadonlyArray<string>) => boolean, timeoutMs?: number) => Promise<void>
}

const startStdio = (env: Record<string, string>): Session => {
  const child = spawn("node_modules/.bin/tsx", ["packages/cli/src/bin.ts", "mcp"], {
    cwd: repositoryRoot,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"]
  })
  const lines: Array<string> = []
  let partial = ""
  let stderr = ""
  const waiters = new Set<() => void>()
  child.stdout.on("data", (chunk: Buffer) => {
    partial += chunk.toString("utf8")
    let newline: number
    while ((newline = partial.indexOf("\n")) !== -1) {
      lines.push(partial.slice(0, newline))
      partial = partial.slice(newline + 1)
    }
    for (const waiter of waiters) waiter()
  })
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8")
  })
  return {
    child,
    lines,
    stderr: () => stderr,
    send: (line) => {
      child.stdin.write(line + "\n")
    },
    until: (predicate, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(lines)) {
            waiters.delete(check)
            clearTimeout(timer)
            resolve()
          }
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`timed out; stdout so far:\n${lines.slice(-5).join("\n")}\nstderr:\n${stderr}`))
        }, timeoutMs)
        waiters.add(check)
        check()
      })
  }
}

const parse = (line: string): Record<string, unknown> => JSON.parse(line) as Record<string, unknown>

const isJsonRpcMessage = (line: string): boolean => {
  try {
    const message = parse(line)
    return message.jsonrpc === "2.0" && ("method" in message || "result" in message || "error" in message)
  } catch {
    return false
  }
}

describe("stdio transport (raw)", () => {
  let mock: ClosableMockServer
  let session: Session

  beforeAll(async () => {
    mock = await startMockServer({ record: false })
    session = startStdio({ XAI_BASE_URL: mock.url, XAI_API_KEY: "test-key" })
    session.send(JSON.stringify({
      jsonrpc: "2.0",
      id: "init",
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "0" } }
    }))
    await session.until((lines) => lines.some((line) => line.includes("\"id\":\"init\"")), 30_000)
    session.send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }))
  }, 40_000)

  afterAll(async () => {
    if (session !== undefined && session.child.exitCode === null) {
      session.child.kill("SIGKILL")
    }
    await mock?.close()
  })

  it("answers a garbage line with a parse error and still answers the lines around it", async () => {
    session.send(JSON.stringify({ jsonrpc: "2.0", id: "before", method: "ping" }))
    session.send("this is not JSON {")
    session.send(JSON.stringify({ jsonrpc: "2.0", id: "after", method: "ping" }))
    await session.until((lines) => lines.some((line) => line.includes("\"id\":\"after\"")))
    assert.isTrue(session.lines.some((line) => line.includes("\"id\":\"before\"")))
    assert.isTrue(session.lines.some((line) => {
      const message = parse(line)
      return message.id === null && (message.error as { code: number } | undefined)?.code === -32700
    }))
  })

  it("fuzz: 1,000 lines, every request answered exactly once, nothing but JSON-RPC on stdout", async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20_261_127)
    const fuzz = makeFuzz(seed)
    const start = session.lines.length
    const messages = Array.from({ length: 1_000 }, () => fuzz.message())
    for (const message of messages) session.send(message.text)
    const requests = messages.filter((message) => message.requestId !== undefined)
    const answered = (lines: ReadonlyArray<string>) => {
      const ids = new Set<string>()
      for (const line of lines.slice(start)) {
        try {
          const message = parse(line)
          if ("id" in message && !("method" in message)) ids.add(JSON.stringify(message.id))
        } catch {
          // counted below
        }
      }
      return requests.every((request) => ids.has(JSON.stringify(request.requestId)))
    }
    await session.until(answered, 30_000)
    // Late duplicates would show up here.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const lines = session.lines.slice(start)
    const stray = lines.filter((line) => !isJsonRpcMessage(line))
    assert.deepStrictEqual(stray.slice(0, 5), [], `[seed ${seed}] non-JSON-RPC lines on stdout`)
    const responses = lines.map(parse).filter((message) => !("method" in message))
    const failures: Array<string> = []
    for (const request of requests) {
      const answers = responses.filter((response) => sameId(response.id, request.requestId))
      if (answers.length !== 1) {
        failures.push(`[seed ${seed}] ${answers.length} answers to ${request.text.slice(0, 120)}`)
      }
    }
    assert.deepStrictEqual(failures.slice(0, 5), [])
    const unexpected = responses.filter((response) =>
      response.id !== null && !requests.some((request) => sameId(request.requestId, response.id)) &&
      !messages.some((message) => message.text.includes(JSON.stringify(response.id)))
    )
    assert.deepStrictEqual(unexpected.slice(0, 5), [])
  }, 60_000)

  it("wrote its notice to stderr, not stdout, and exits when stdin closes", async () => {
    assert.include(session.stderr(), "grokit mcp: ")
    assert.isTrue(session.lines.every(isJsonRpcMessage))
    const exited = once(session.child, "exit")
    session.child.stdin.end()
    const [code] = await exited
    assert.strictEqual(code, 0)
    assert.isTrue(session.lines.every(isJsonRpcMessage))
  }, 20_000)
})

describe("stdio transport offline", () => {
  it("starts an in-process mock when neither XAI_API_KEY nor XAI_BASE_URL is set, and says so on stderr", async () => {
    const env = { ...process.env } as Record<string, string>
    delete env.XAI_API_KEY
    delete env.XAI_BASE_URL
    const child = spawn("node_modules/.bin/tsx", ["packages/cli/src/bin.ts", "mcp"], {
      cwd: repositoryRoot,
      env,
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => stdout += chunk.toString("utf8"))
    child.stderr.on("data", (chunk: Buffer) => stderr += chunk.toString("utf8"))
    const lines = [
      {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "0" } }
      },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      {
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: {
          name: "create_chat_completion",
          arguments: { model: "grok-4.3", messages: [{ role: "user", content: "offline?" }] }
        }
      }
    ]
    for (const line of lines) child.stdin.write(JSON.stringify(line) + "\n")
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer; stderr: ${stderr}`)), 30_000)
      child.stdout.on("data", () => {
        if (stdout.includes("\"id\":2")) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    const exited = once(child, "exit")
    child.stdin.end()
    await exited
    assert.include(stderr, "MOCK")
    const answer = stdout.trim().split("\n").map(parse).find((message) => message.id === 2)!
    assert.include(JSON.stringify(answer.result), "You said: offline?")
  }, 40_000)
})
