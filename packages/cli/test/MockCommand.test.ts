import { assert, describe, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"

const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url))

const grokit = (...args: ReadonlyArray<string>): ChildProcess =>
  spawn("node_modules/.bin/tsx", ["packages/cli/src/bin.ts", ...args], {
    cwd: repositoryRoot,
    stdio: ["ignore", "pipe", "pipe"]
  })

/** Resolves with the first line the process writes to stdout. */
const firstLine = (child: ChildProcess): Promise<string> =>
  new Promise((resolve, reject) => {
    let buffered = ""
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString("utf8")
      const newline = buffered.indexOf("\n")
      if (newline !== -1) {
        child.stdout!.off("data", onData)
        resolve(buffered.slice(0, newline))
      }
    }
    child.stdout!.on("data", onData)
    child.once("exit", (code) => reject(new Error(`grokit exited with ${code} before printing a line`)))
  })

const collect = (stream: NodeJS.ReadableStream): { text: string } => {
  const sink = { text: "" }
  stream.on("data", (chunk: Buffer) => {
    sink.text += chunk.toString("utf8")
  })
  return sink
}

describe("grokit mock", () => {
  it("says it is a MOCK on its first line, serves the URL it prints, and stops on SIGTERM", async () => {
    const child = grokit("mock", "--port", "0")
    const stderr = collect(child.stderr!)
    try {
      const line = await firstLine(child)
      assert.match(
        line,
        /^grokit mock: a MOCK Grok-compatible server \(not xAI\) listening on http:\/\/127\.0\.0\.1:\d+\/v1$/
      )
      const url = line.slice(line.indexOf("http://"))
      const response = await fetch(`${url}/models`, { headers: { authorization: "Bearer test" } })
      assert.strictEqual(response.status, 200)
      const body = await response.json() as { readonly object: string; readonly data: ReadonlyArray<{ id: string }> }
      assert.strictEqual(body.object, "list")
      assert.include(body.data.map((model) => model.id), "grok-4.3")
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, "exit")
        child.kill("SIGTERM")
        await exited
      }
    }
    assert.strictEqual(stderr.text, "")
  }, 30_000)

  it("rejects a bad flag with a clear error", async () => {
    const child = grokit("mock", "--port", "not-a-port")
    const stderr = collect(child.stderr!)
    const [code] = await once(child, "exit")
    assert.strictEqual(code, 1)
    assert.include(stderr.text, "Invalid value for flag --port: \"not-a-port\"")
  }, 30_000)
})
