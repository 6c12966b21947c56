/**
 * The Streamable HTTP transport's checks (reliability.md section 6, item 21): default loopback
 * bind, foreign Origin and non-loopback Host refused, bearer token, body limit before reading,
 * bad protocol version, per-client rate limit (429 with Retry-After), unknown tool, and 1,000
 * fuzzed messages each answered as JSON-RPC says.
 */
import { assert, describe, it } from "@effect/vitest"
import type { GrokMcpServer } from "@grokit/mcp"
import { type ClosableMockServer, startMockServer } from "@grokit/mock"
import { Redacted } from "effect"
import { request as httpRequest } from "node:http"
import { afterAll, beforeAll } from "vitest"
import { makeFuzz, sameId } from "./support/Fuzz.ts"
import { connectHttp, firstText, type HttpServerHandle, startHttpServer } from "./support/McpHarness.ts"

interface RawResponse {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly body: string
}

const PROTOCOL = "2025-11-25"

const post = (
  server: HttpServerHandle,
  body: string | Buffer,
  headers: Record<string, string> = {}
): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const request = httpRequest({
      host: "127.0.0.1",
      port: server.port,
      path: "/mcp",
      method: "POST",
      headers: {
        host: `127.0.0.1:${server.port}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...headers
      }
    }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString("utf8")
        }))
      response.on("error", reject)
    })
    request.on("error", reject)
    request.end(body)
  })

const initializeBody = JSON.stringify({
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: "raw", version: "0" } }
})

/** Opens a session the raw way; returns the headers later requests need. */
const openSession = async (server: HttpServerHandle, extra: Record<string, string> = {}) => {
  const response = await post(server, initializeBody, extra)
  assert.strictEqual(response.status, 200, response.body)
  const sessionId = response.headers["mcp-session-id"] as string
  assert.isString(sessionId)
  const headers = { ...extra, "mcp-session-id": sessionId, "mcp-protocol-version": PROTOCOL }
  const initialized = await post(
    server,
    JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    headers
  )
  assert.strictEqual(initialized.status, 202)
  return headers
}

/** The JSON-RPC messages of a response body (JSON or SSE). */
const messagesOf = (response: RawResponse): Array<Record<string, unknown>> => {
  if (response.body.trim() === "") return []
  const contentType = String(response.headers["content-type"] ?? "")
  const texts = contentType.includes("text/event-stream")
    ? response.body.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trim())
    : [response.body]
  return texts.flatMap((text) => {
    const value = JSON.parse(text) as unknown
    return (Array.isArray(value) ? value : [value]) as Array<Record<string, unknown>>
  })
}

const responsesOf = (response: RawResponse) => messagesOf(response).filter((message) => !("method" in message))

describe("Streamable HTTP transport", () => {
  let mock: ClosableMockServer
  let server: HttpServerHandle

  beforeAll(async () => {
    mock = await startMockServer({ record: false })
    // The fuzz below sends 1,000 requests at once: the rate limit is tested on its own server.
    server = await startHttpServer(mock.url, { rateLimit: false })
  }, 30_000)

  afterAll(async () => {
    await server?.close()
    await mock?.close()
  })

  it("binds to 127.0.0.1 by default", () => {
    assert.strictEqual(server.hostname, "127.0.0.1")
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/)
  })

  it("refuses a foreign Origin with 403, serves loopback origins and requests without Origin", async () => {
    for (
      const origin of [
        "https://evil.example",
        "http://127.0.0.1.evil.example",
        "http://localhost.evil.example:8080",
        "null",
        "file://",
        "chrome-extension://abcdef"
      ]
    ) {
      const response = await post(server, initializeBody, { origin })
      assert.strictEqual(response.status, 403, origin)
      assert.include(response.body, "Origin")
    }
    for (const origin of ["http://localhost:6274", "http://127.0.0.1:3000", "http://[::1]:8080"]) {
      assert.strictEqual((await post(server, initializeBody, { origin })).status, 200, origin)
    }
    assert.strictEqual((await post(server, initializeBody)).status, 200)
  })

  it("refuses a non-loopback Host with 403 (DNS rebinding), serves loopback hosts", async () => {
    for (
      const host of [
        "evil.example",
        `evil.example:${server.port}`,
        `192.168.1.10:${server.port}`,
        `localhost.evil.example:${server.port}`,
        `127.0.0.1.nip.io:${server.port}`,
        "[::ffff:7f00:1]",
        "local host"
      ]
    ) {
      const response = await post(server, initializeBody, { host })
      assert.strictEqual(response.status, 403, host)
      assert.include(response.body, "Host")
    }
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `[::1]:${server.port}`, "localhost"]) {
      assert.strictEqual((await post(server, initializeBody, { host })).status, 200, host)
    }
  })

  it("refuses a body over 4 MiB with 413 before reading it (Content-Length)", async () => {
    const response = await new Promise<RawResponse>((resolve, reject) => {
      const request = httpRequest({
        host: "127.0.0.1",
        port: server.port,
        path: "/mcp",
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "content-length": String(4 * 1024 * 1024 + 1)
        }
      }, (response) => {
        let body = ""
        response.on("data", (chunk: Buffer) => body += chunk.toString("utf8"))
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
      })
      request.on("error", reject)
      // Headers only: the answer must come without a single body byte.
      request.flushHeaders()
    })
    assert.strictEqual(response.status, 413)
    assert.include(response.body, "4194304")
  })

  it("refuses a streamed (chunked) body once it passes 4 MiB, without reading the rest", async () => {
    let written = 0
    const response = await new Promise<RawResponse>((resolve, reject) => {
      let answered = false
      const request = httpRequest({
        host: "127.0.0.1",
        port: server.port,
        path: "/mcp",
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }
      }, (response) => {
        answered = true
        let body = ""
        response.on("data", (chunk: Buffer) => body += chunk.toString("utf8"))
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
      })
      request.on("error", (error) => answered ? undefined : reject(error))
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      const pump = (): void => {
        if (answered) return
        if (written >= 64 * 1024 * 1024) return void request.end()
        written += chunk.length
        if (request.write(chunk)) setImmediate(pump)
        else request.once("drain", pump)
      }
      pump()
    })
    assert.strictEqual(response.status, 413)
    assert.isBelow(written, 16 * 1024 * 1024, "the server stopped the upload long before 64 MiB")
  })

  it("accepts a body just under the limit", async () => {
    const headers = await openSession(server)
    const padding = "x".repeat(4 * 1024 * 1024 - 200)
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { _meta: { padding } } })
    assert.isBelow(Buffer.byteLength(body), 4 * 1024 * 1024)
    const response = await post(server, body, headers)
    assert.strictEqual(response.status, 200)
    assert.deepStrictEqual(responsesOf(response)[0]?.result, {})
  })

  it("refuses an unsupported MCP-Protocol-Version with 400", async () => {
    const headers = await openSession(server)
    for (const version of ["1999-01-01", "garbage", "2025-11-26"]) {
      const response = await post(server, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }), {
        ...headers,
        "mcp-protocol-version": version
      })
      assert.strictEqual(response.status, 400, version)
      assert.include(response.body, "MCP-Protocol-Version")
    }
  })

  it("answers an unknown tool with JSON-RPC error -32602", async () => {
    const headers = await openSession(server)
    const response = await post(
      server,
      JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "no_such_tool", arguments: {} } }),
      headers
    )
    const [answer] = responsesOf(response)
    assert.strictEqual(answer!.id, 7)
    assert.strictEqual((answer!.error as { code: number }).code, -32602)
  })

  it("ends a session on DELETE; the session's id is then unknown (404)", async () => {
    const headers = await openSession(server)
    const deleted = await fetch(server.url, { method: "DELETE", headers })
    assert.strictEqual(deleted.status, 204)
    const after = await post(server, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }), headers)
    assert.strictEqual(after.status, 404)
  })

  it("answers 405 to GET and other methods, 404 to other paths", async () => {
    const get = await fetch(server.url, { headers: { accept: "text/event-stream" } })
    assert.strictEqual(get.status, 405)
    const other = await fetch(server.url.replace("/mcp", "/other"), { method: "POST", body: initializeBody })
    assert.strictEqual(other.status, 404)
  })

  it(
    "fuzz: 1,000 messages (odd ids, wrong types, garbage, batches, deep nesting), each answered as owed, no crash",
    async () => {
      const seed = Number(process.env.FUZZ_SEED ?? 20_261_126)
      const fuzz = makeFuzz(seed)
      const headers = await openSession(server)
      const messages = Array.from({ length: 1_000 }, () => fuzz.message())
      const failures: Array<string> = []
      let index = 0
      const worker = async () => {
        while (index < messages.length) {
          const message = messages[index++]!
          // One in twenty without the session headers: refused at the HTTP level, never a crash.
          const withSession = index % 20 !== 0
          const response = await post(server, message.text, withSession ? headers : {})
          const where = `[seed ${seed}] ${message.kind}: ${message.text.slice(0, 120)} -> ${response.status} ${
            response.body.slice(0, 200)
          }`
          if (response.status >= 500) failures.push(`server error ${where}`)
          if (!withSession) {
            if (response.status === 200 && message.requestId !== undefined) {
              failures.push(
                `served without session ${where}`
              )
            }
            continue
          }
          let responses: Array<Record<string, unknown>>
          try {
            responses = responsesOf(response)
          } catch {
            if (response.status !== 400) failures.push(`unparsable answer ${where}`)
            continue
          }
          if (message.requestId !== undefined) {
            const answers = responses.filter((answer) => sameId(answer.id, message.requestId))
            if (answers.length !== 1 || responses.length !== 1) failures.push(`not answered exactly once ${where}`)
            else if (("result" in answers[0]!) === ("error" in answers[0]!)) {
              failures.push(
                `neither result nor error ${where}`
              )
            }
          } else if (message.notification) {
            if (response.status !== 202 || responses.length !== 0) failures.push(`notification answered ${where}`)
          } else {
            if (responses.length > 1) failures.push(`answered more than once ${where}`)
            for (const answer of responses) {
              if (!("error" in answer)) failures.push(`invalid message not refused ${where}`)
            }
          }
        }
      }
      await Promise.all(Array.from({ length: 8 }, worker))
      assert.deepStrictEqual(failures.slice(0, 10), [])
      // Still serving.
      const connection = await connectHttp(server.url)
      const result = await connection.client.callTool({ name: "list_models", arguments: {} })
      assert.include(firstText(result), "grok-4.3")
      await connection.close()
    },
    60_000
  )
})

describe("Streamable HTTP transport with a token and extra allowed hosts and origins", () => {
  let mock: ClosableMockServer
  let server: HttpServerHandle

  beforeAll(async () => {
    mock = await startMockServer({ record: false })
    server = await startHttpServer(mock.url, {
      token: Redacted.make("s3cret-token"),
      allowedHosts: ["mcp.example.com"],
      allowedOrigins: ["https://app.example.com"]
    })
  }, 30_000)

  afterAll(async () => {
    await server?.close()
    await mock?.close()
  })

  it("refuses a request without the bearer token, or with a wrong one, with 401", async () => {
    const missing = await post(server, initializeBody)
    assert.strictEqual(missing.status, 401)
    assert.include(String(missing.headers["www-authenticate"]), "Bearer")
    for (
      const authorization of ["Bearer wrong", "Basic czNjcmV0LXRva2Vu", "Bearer s3cret-token-and-more", "s3cret-token"]
    ) {
      assert.strictEqual((await post(server, initializeBody, { authorization })).status, 401, authorization)
    }
  })

  it("serves the official client that sends the token", async () => {
    const connection = await connectHttp(server.url, { authorization: "Bearer s3cret-token" })
    const { tools } = await connection.client.listTools()
    assert.strictEqual(tools.length, 3)
    await connection.close()
  })

  it("accepts the configured Host and Origin, still refuses others", async () => {
    const authorization = "Bearer s3cret-token"
    assert.strictEqual((await post(server, initializeBody, { authorization, host: "mcp.example.com" })).status, 200)
    assert.strictEqual(
      (await post(server, initializeBody, { authorization, origin: "https://app.example.com" })).status,
      200
    )
    assert.strictEqual((await post(server, initializeBody, { authorization, host: "other.example.com" })).status, 403)
    assert.strictEqual(
      (await post(server, initializeBody, { authorization, origin: "https://other.example.com" })).status,
      403
    )
  })
})

describe("Streamable HTTP transport with a per-client rate limit", () => {
  let mock: ClosableMockServer
  let time = 0
  const servers: Array<HttpServerHandle> = []
  const ping = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" })

  beforeAll(async () => {
    mock = await startMockServer({ record: false })
  }, 30_000)

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()))
    await mock?.close()
  })

  const start = async (options: Partial<GrokMcpServer.HttpOptions>) => {
    const server = await startHttpServer(mock.url, options)
    servers.push(server)
    return server
  }

  it("serves under the limit; over it answers 429 with Retry-After and a JSON-RPC error; refills", async () => {
    const server = await start({ rateLimit: { requests: 3, perSeconds: 6, now: () => time } })
    const headers = await openSession(server) // initialize and initialized: two requests
    assert.strictEqual((await post(server, ping, headers)).status, 200)
    const refused = await post(server, ping, headers)
    assert.strictEqual(refused.status, 429)
    assert.strictEqual(refused.headers["retry-after"], "2")
    assert.deepStrictEqual(JSON.parse(refused.body), {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32000, message: "rate limit exceeded: at most 3 requests per 6 s per client; retry after 2 s" }
    })
    time += 2_000
    assert.strictEqual((await post(server, ping, headers)).status, 200)
    assert.strictEqual((await post(server, ping, headers)).status, 429)
    time += 6_000
    for (let i = 0; i < 3; i++) assert.strictEqual((await post(server, ping, headers)).status, 200)
  })

  it("refuses before reading the body", async () => {
    const server = await start({ rateLimit: { requests: 1, perSeconds: 60, now: () => time } })
    assert.strictEqual((await post(server, initializeBody)).status, 200)
    const response = await new Promise<RawResponse>((resolve, reject) => {
      const request = httpRequest({
        host: "127.0.0.1",
        port: server.port,
        path: "/mcp",
        method: "POST",
        headers: { "content-type": "application/json", "content-length": "1000" }
      }, (response) => {
        let body = ""
        response.on("data", (chunk: Buffer) => body += chunk.toString("utf8"))
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
      })
      request.on("error", reject)
      request.flushHeaders()
    })
    assert.strictEqual(response.status, 429)
    assert.strictEqual(response.headers["retry-after"], "60")
  })

  it("limits clients separately (by key)", async () => {
    const server = await start({
      rateLimit: { requests: 1, perSeconds: 10, now: () => time, key: (request) => request.headers["x-client"] ?? "" }
    })
    assert.strictEqual((await post(server, initializeBody, { "x-client": "a" })).status, 200)
    assert.strictEqual((await post(server, initializeBody, { "x-client": "a" })).status, 429)
    assert.strictEqual((await post(server, initializeBody, { "x-client": "b" })).status, 200)
    assert.strictEqual((await post(server, initializeBody, { "x-client": "b" })).status, 429)
  })

  it("with a token, counts after the token check: refused requests do not spend the bucket", async () => {
    const server = await start({
      token: Redacted.make("t0ken"),
      rateLimit: { requests: 1, perSeconds: 10, now: () => time }
    })
    for (let i = 0; i < 3; i++) assert.strictEqual((await post(server, initializeBody)).status, 401)
    const authorization = "Bearer t0ken"
    assert.strictEqual((await post(server, initializeBody, { authorization })).status, 200)
    assert.strictEqual((await post(server, initializeBody, { authorization })).status, 429)
  })

  it("is off with rateLimit: false or requests: 0", async () => {
    for (const rateLimit of [false, { requests: 0, perSeconds: 10 }] as const) {
      const server = await start({ rateLimit })
      for (let i = 0; i < 80; i++) assert.strictEqual((await post(server, ping)).status < 429, true)
      assert.notStrictEqual((await post(server, initializeBody)).status, 429)
    }
  })
})
