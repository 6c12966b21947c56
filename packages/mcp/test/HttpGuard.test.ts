import { assert, describe, it } from "@effect/vitest"
import { HttpGuard } from "@grokit/mcp"
import { Redacted } from "effect"

const config: HttpGuard.HttpGuardConfig = { boundHost: "127.0.0.1", protocolVersions: ["2025-11-25", "2025-06-18"] }

const check = (headers: Record<string, string>, overrides: Partial<HttpGuard.HttpGuardConfig> = {}) =>
  HttpGuard.check({ ...config, ...overrides }, "POST", { host: "127.0.0.1:3333", ...headers })

describe("HttpGuard", () => {
  it("reads the host name of a Host header", () => {
    assert.strictEqual(HttpGuard.hostnameOf("Example.COM:8080"), "example.com")
    assert.strictEqual(HttpGuard.hostnameOf("[::1]:80"), "[::1]")
    assert.strictEqual(HttpGuard.hostnameOf("localhost"), "localhost")
    assert.isUndefined(HttpGuard.hostnameOf("a b"))
    assert.isUndefined(HttpGuard.hostnameOf("host:port"))
    assert.isUndefined(HttpGuard.hostnameOf("[::1"))
    assert.isUndefined(HttpGuard.hostnameOf(""))
  })

  it("knows loopback names", () => {
    for (const name of ["localhost", "127.0.0.1", "127.1.2.3", "[::1]"]) {
      assert.isTrue(HttpGuard.isLoopbackHostname(name))
    }
    for (const name of ["localhost.evil.example", "128.0.0.1", "0.0.0.0", "[::]", "example.com"]) {
      assert.isFalse(HttpGuard.isLoopbackHostname(name), name)
    }
  })

  it("accepts loopback hosts, the bound host and allowed hosts; refuses the rest with 403", () => {
    assert.isUndefined(check({}))
    assert.isUndefined(check({ host: "localhost:3333" }))
    assert.isUndefined(check({ host: "10.0.0.5:3333" }, { boundHost: "10.0.0.5" }))
    assert.isUndefined(check({ host: "mcp.example.com" }, { allowedHosts: ["mcp.example.com:443"] }))
    assert.strictEqual(check({ host: "evil.example" })?.status, 403)
    assert.strictEqual(check({ host: "10.0.0.5:3333" }, { boundHost: "0.0.0.0" })?.status, 403)
    assert.strictEqual(HttpGuard.check(config, "POST", {})?.status, 403)
  })

  it("accepts no Origin, loopback origins and allowed origins; refuses the rest with 403", () => {
    assert.isUndefined(check({ origin: "http://localhost:5173" }))
    assert.isUndefined(check({ origin: "https://app.example.com" }, { allowedOrigins: ["https://app.example.com/"] }))
    for (const origin of ["https://evil.example", "null", "file:///etc", "http://localhost.evil.example"]) {
      assert.strictEqual(check({ origin })?.status, 403, origin)
    }
  })

  it("checks the bearer token", () => {
    const token = Redacted.make("secret")
    assert.strictEqual(check({}, { token })?.status, 401)
    assert.strictEqual(check({ authorization: "Bearer nope" }, { token })?.status, 401)
    assert.isUndefined(check({ authorization: "Bearer secret" }, { token }))
    assert.isUndefined(check({ authorization: "bearer   secret" }, { token }))
  })

  it("refuses a Content-Length over the limit with 413, and a malformed one with 400", () => {
    assert.strictEqual(check({ "content-length": String(4 * 1024 * 1024 + 1) })?.status, 413)
    assert.isUndefined(check({ "content-length": String(4 * 1024 * 1024) }))
    assert.strictEqual(check({ "content-length": "12" }, { maxBodyBytes: 10 })?.status, 413)
    assert.strictEqual(check({ "content-length": "-1" })?.status, 400)
  })

  it("refuses an MCP-Protocol-Version it does not speak with 400", () => {
    assert.isUndefined(check({ "mcp-protocol-version": "2025-06-18" }))
    assert.strictEqual(check({ "mcp-protocol-version": "2099-01-01" })?.status, 400)
  })

  it("checks in order: Host, then Origin, then token", () => {
    const token = Redacted.make("secret")
    assert.include(check({ host: "evil.example", origin: "https://evil.example" }, { token })!.message, "Host")
    assert.include(check({ origin: "https://evil.example" }, { token })!.message, "Origin")
  })

  describe("rate limiter", () => {
    const clock = () => {
      let time = 1_000_000
      return { now: () => time, advance: (ms: number) => void (time += ms) }
    }

    it("lets a client spend its burst, then refuses with the seconds until a request refills", () => {
      const { advance, now } = clock()
      const limiter = HttpGuard.makeRateLimiter({ requests: 3, perSeconds: 6, now })!
      assert.strictEqual(limiter.description, "3 requests per 6 s")
      for (let i = 0; i < 3; i++) assert.isUndefined(limiter.take("a"), `request ${i}`)
      assert.strictEqual(limiter.take("a"), 2)
      advance(1_000)
      assert.strictEqual(limiter.take("a"), 1)
      advance(1_000)
      assert.isUndefined(limiter.take("a"))
      assert.strictEqual(limiter.take("a"), 2)
      advance(6_000)
      for (let i = 0; i < 3; i++) assert.isUndefined(limiter.take("a"), `after refill ${i}`)
      assert.isDefined(limiter.take("a"))
    })

    it("keeps clients apart and honours a burst other than the rate", () => {
      const { now } = clock()
      const limiter = HttpGuard.makeRateLimiter({ requests: 1, perSeconds: 10, burst: 2, now })!
      assert.isUndefined(limiter.take("a"))
      assert.isUndefined(limiter.take("a"))
      assert.strictEqual(limiter.take("a"), 10)
      assert.isUndefined(limiter.take("b"))
      assert.isUndefined(limiter.take("b"))
      assert.isDefined(limiter.take("b"))
    })

    it("is off with false, 0 requests or 0 seconds; on by default (60 per 10 s)", () => {
      assert.isUndefined(HttpGuard.makeRateLimiter(false))
      assert.isUndefined(HttpGuard.makeRateLimiter({ requests: 0, perSeconds: 10 }))
      assert.isUndefined(HttpGuard.makeRateLimiter({ requests: 5, perSeconds: 0 }))
      const limiter = HttpGuard.makeRateLimiter(undefined)!
      assert.strictEqual(limiter.description, "60 requests per 10 s")
      for (let i = 0; i < 60; i++) assert.isUndefined(limiter.take("a"))
      assert.isDefined(limiter.take("a"))
    })

    it("stays bounded with many clients, and drops idle clients", () => {
      const { advance, now } = clock()
      const limiter = HttpGuard.makeRateLimiter({ requests: 2, perSeconds: 1, maxClients: 100, now })!
      for (let i = 0; i < 10_000; i++) limiter.take(`client-${i}`)
      assert.strictEqual(limiter.size(), 100)
      // The most recently seen clients are kept (and still limited).
      limiter.take("client-9999")
      assert.isDefined(limiter.take("client-9999"))
      // Once their buckets have refilled, idle clients are swept.
      advance(1_000)
      limiter.take("fresh")
      assert.strictEqual(limiter.size(), 1)
    })

    it("refuses with 429, Retry-After and a JSON-RPC error", () => {
      const limiter = HttpGuard.makeRateLimiter({ requests: 60, perSeconds: 10 })!
      const refusal = HttpGuard.rateLimited(limiter, 3)
      assert.strictEqual(refusal.status, 429)
      assert.strictEqual(
        refusal.message,
        "rate limit exceeded: at most 60 requests per 10 s per client; retry after 3 s"
      )
      const response = HttpGuard.refusalResponse(refusal)
      assert.strictEqual(response.status, 429)
      assert.strictEqual(response.headers["retry-after"], "3")
    })
  })
})
