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
})
