import { assert, describe, it } from "@effect/vitest"
import { StdioFraming } from "@grokit/mcp"

const { classify, makeLineSplitter } = StdioFraming

describe("stdio framing", () => {
  it("cuts text into lines across chunks, dropping CR", () => {
    const splitter = makeLineSplitter(100)
    assert.deepStrictEqual(splitter.push("{\"a\":1}\n{\"b\""), { lines: ["{\"a\":1}"], oversized: 0 })
    assert.deepStrictEqual(splitter.push(":2}\r\n\n"), { lines: ["{\"b\":2}", ""], oversized: 0 })
  })

  it("refuses a line over the limit once, and skips it to its end", () => {
    const splitter = makeLineSplitter(10)
    assert.deepStrictEqual(splitter.push("x".repeat(8)), { lines: [], oversized: 0 })
    assert.deepStrictEqual(splitter.push("x".repeat(8)), { lines: [], oversized: 1 })
    assert.deepStrictEqual(splitter.push("x".repeat(50)), { lines: [], oversized: 0 })
    assert.deepStrictEqual(splitter.push("xx\n{}\n"), { lines: ["{}"], oversized: 0 })
  })

  it("forwards JSON-RPC messages and batches, answers the rest", () => {
    assert.isTrue(classify("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}").forward)
    assert.isTrue(classify("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").forward)
    assert.isTrue(classify("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}").forward)
    assert.isTrue(classify("[]").forward)
    const reply = (line: string) => {
      const verdict = classify(line)
      return verdict.forward ? undefined : JSON.parse(verdict.reply)
    }
    assert.deepStrictEqual(reply("nope")?.error.code, -32700)
    assert.deepStrictEqual(reply("42"), {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: "Invalid Request" }
    })
    assert.deepStrictEqual(reply("{\"id\":7}")?.id, 7)
    assert.deepStrictEqual(reply("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":5}")?.id, "x")
    assert.deepStrictEqual(reply("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}")?.id, null)
    assert.deepStrictEqual(reply("{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"ping\"}")?.id, 3)
  })
})
