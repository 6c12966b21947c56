/**
 * reliability.md §6 item 18: the SSRF matrix. Every URL below must be refused with the expected
 * reason, and a canary server on loopback (IPv4 and IPv6) must see ZERO connections. The canaries
 * are not in the allow list; the allowed test server (127.0.0.3) only serves redirects.
 */
import { afterAll, assert, beforeAll, describe, expect, it } from "@effect/vitest"
import { AddressPolicy, GuardedFetch } from "@grokit/search"
import { Effect } from "effect"
import * as http from "node:http"
import { type Canary, startCanary, startServer, type TestServer } from "./support/Servers.ts"

let canary4: Canary
let canary6: Canary
let allowed: TestServer
let witness: TestServer

const PUBLIC = "93.184.216.34"
let resolverCalls: Array<string> = []
let rebindCalls = 0

/** The injected DNS: no network. */
const resolve: GuardedFetch.Resolver = (hostname) =>
  Effect.suspend(() => {
    resolverCalls.push(hostname)
    switch (hostname) {
      case "loopback.test":
        return Effect.succeed(["127.0.0.1"])
      case "private.test":
        return Effect.succeed(["10.1.2.3"])
      case "private172.test":
        return Effect.succeed(["172.20.0.9"])
      case "private192.test":
        return Effect.succeed(["192.168.0.10"])
      case "metadata.test":
        return Effect.succeed(["169.254.169.254"])
      case "mapped.test":
        return Effect.succeed(["::ffff:127.0.0.1"])
      case "v6loop.test":
        return Effect.succeed(["::1"])
      case "cgnat.test":
        return Effect.succeed(["100.100.100.200"])
      case "ula.test":
        return Effect.succeed(["fd00:ec2::254"])
      case "linklocal6.test":
        return Effect.succeed(["fe80::a9fe:a9fe"])
      case "zero.test":
        return Effect.succeed(["0.0.0.0"])
      case "unspecified6.test":
        return Effect.succeed(["::"])
      case "multicast.test":
        return Effect.succeed(["239.255.255.250"])
      case "nat64.test":
        return Effect.succeed(["64:ff9b::a9fe:a9fe"])
      case "mixed.test":
        return Effect.succeed([PUBLIC, "127.0.0.1"])
      case "empty.test":
        return Effect.succeed([])
      case "garbage.test":
        return Effect.succeed(["not-an-ip"])
      case "rebind.test":
        // public for the pre-connect check, loopback for the connection
        return Effect.succeed([rebindCalls++ === 0 ? PUBLIC : "127.0.0.1"])
      case "feeds.test":
        return Effect.succeed(["127.0.0.3"])
      default:
        return Effect.fail(new Error(`NXDOMAIN ${hostname}`))
    }
  })

const fetcher = () => GuardedFetch.make({ allow: ["127.0.0.3"], resolve, timeout: "5 seconds", maxRedirects: 5 })

const reasonOf = (url: string, make = fetcher) =>
  make().fetch(url).pipe(
    Effect.flip,
    Effect.map((error) => error.reason)
  )

beforeAll(async () => {
  canary4 = await startCanary("127.0.0.1")
  canary6 = await startCanary("::1")
  allowed = await startServer("127.0.0.3")
  witness = await startServer("127.0.0.4")
  witness.route("/", (_, res) => res.end("witness"))
  witness.route("/echo-headers", (req, res) => res.end(JSON.stringify(req.headers)))
  const redirect = (location: () => string) => (_: http.IncomingMessage, res: http.ServerResponse) => {
    res.statusCode = 302
    res.setHeader("location", location())
    res.end()
  }
  allowed.route("/ok", (_, res) => res.end("ok"))
  allowed.route("/to-canary", redirect(() => `http://127.0.0.1:${canary4.port}/`))
  allowed.route("/to-canary-decimal", redirect(() => `http://2130706433:${canary4.port}/`))
  allowed.route("/to-canary-hex", redirect(() => `http://0x7f.1:${canary4.port}/`))
  allowed.route("/to-canary-v6", redirect(() => `http://[::1]:${canary6.port}/`))
  allowed.route("/to-canary-mapped", redirect(() => `http://[::ffff:7f00:1]:${canary4.port}/`))
  allowed.route("/to-canary-protocol-relative", redirect(() => `//127.0.0.1:${canary4.port}/`))
  allowed.route("/to-canary-name", redirect(() => `http://loopback.test:${canary4.port}/`))
  allowed.route("/to-canary-localhost", redirect(() => `http://localhost:${canary4.port}/`))
  allowed.route("/to-rebind", redirect(() => `http://rebind.test:${canary4.port}/`))
  allowed.route("/to-metadata", redirect(() => "http://169.254.169.254/latest/meta-data/iam/security-credentials/"))
  allowed.route("/to-metadata-name", redirect(() => "http://metadata.google.internal/computeMetadata/v1/"))
  allowed.route("/to-file", redirect(() => "file:///etc/passwd"))
  allowed.route("/to-gopher", redirect(() => `gopher://127.0.0.1:${canary4.port}/_INFO`))
  allowed.route("/to-userinfo", redirect(() => `http://user:pw@127.0.0.3:${allowed.port}/ok`))
  allowed.route("/echo-headers", (req, res) => res.end(JSON.stringify(req.headers)))
  allowed.route("/to-witness", redirect(() => `http://127.0.0.4:${witness.port}/echo-headers`))
  allowed.route("/to-self", redirect(() => "/echo-headers"))
  allowed.route("/loop", redirect(() => "/loop"))
  for (let i = 0; i < 8; i++) {
    allowed.route(`/chain/${i}`, redirect(() => (i === 7 ? "/ok" : `/chain/${i + 1}`)))
  }
})

afterAll(async () => {
  await Promise.all([canary4.close(), canary6.close(), allowed.close(), witness.close()])
})

type Expectation = readonly [url: () => string, tag: string, phase?: GuardedFetch.BlockPhase]

const P = () => canary4.port
const P6 = () => canary6.port

const matrix: ReadonlyArray<Expectation> = [
  // literal IPv4, every encoding (all aimed at the canary where a port matters)
  [() => `http://127.0.0.1:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://127.0.0.1:${P()}/feed.xml?x=1`, "BlockedAddress", "literal"],
  [() => `https://127.0.0.1:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://127.1:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://127.0.1:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://2130706433:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://017700000001:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://0x7f.1:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://0x7f000001:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://0177.0.0.1:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://0x7f.0x0.0x0.0x1:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://127.0.0.1.:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://%31%32%37.0.0.1:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://\uff11\uff12\uff17.\uff10.\uff10.\uff11:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://0.0.0.0:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://0:${P()}/`, "BlockedAddress", "literal"],
  [() => "http://10.0.0.1/", "BlockedAddress", "literal"],
  [() => "http://172.16.0.1/", "BlockedAddress", "literal"],
  [() => "http://172.31.255.255/", "BlockedAddress", "literal"],
  [() => "http://192.168.1.1/", "BlockedAddress", "literal"],
  [() => "http://169.254.169.254/latest/meta-data/", "BlockedAddress", "literal"],
  [() => "http://0xa9fea9fe/", "BlockedAddress", "literal"],
  [() => "http://100.64.0.1/", "BlockedAddress", "literal"],
  [() => "http://100.127.255.254/", "BlockedAddress", "literal"],
  [() => "http://224.0.0.1/", "BlockedAddress", "literal"],
  [() => "http://255.255.255.255/", "BlockedAddress", "literal"],
  [() => "http://240.0.0.1/", "BlockedAddress", "literal"],
  [() => "http://198.18.0.1/", "BlockedAddress", "literal"],
  [() => "http://192.0.2.1/", "BlockedAddress", "literal"],
  [() => "http://192.0.0.170/", "BlockedAddress", "literal"],
  // literal IPv6
  [() => `http://[::1]:${P6()}/`, "BlockedAddress", "literal"],
  [() => `http://[0:0:0:0:0:0:0:1]:${P6()}/`, "BlockedAddress", "literal"],
  [() => `http://[::]:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://[::ffff:127.0.0.1]:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://[::ffff:7f00:1]:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://[::127.0.0.1]:${P()}/`, "BlockedAddress", "literal"],
  [() => "http://[::ffff:169.254.169.254]/", "BlockedAddress", "literal"],
  [() => "http://[::ffff:10.0.0.1]/", "BlockedAddress", "literal"],
  [() => "http://[fe80::1]/", "BlockedAddress", "literal"],
  [() => "http://[fc00::1]/", "BlockedAddress", "literal"],
  [() => "http://[fd12:3456:789a::1]/", "BlockedAddress", "literal"],
  [() => "http://[fec0::1]/", "BlockedAddress", "literal"],
  [() => "http://[ff02::1]/", "BlockedAddress", "literal"],
  [() => "http://[64:ff9b::7f00:1]/", "BlockedAddress", "literal"],
  [() => "http://[2002:7f00:1::1]/", "BlockedAddress", "literal"],
  [() => "http://[2001:db8::1]/", "BlockedAddress", "literal"],
  [() => "http://[100::1]/", "BlockedAddress", "literal"],
  // local host names
  [() => `http://localhost:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://LOCALHOST:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://localhost.:${P()}/`, "BlockedAddress", "literal"],
  [() => `http://app.localhost:${P()}/`, "BlockedAddress", "literal"],
  [() => "http://metadata.google.internal/computeMetadata/v1/", "BlockedAddress", "literal"],
  [() => "http://printer.local/", "BlockedAddress", "literal"],
  // host names resolving to non-public addresses (injected resolver)
  [() => `http://loopback.test:${P()}/`, "BlockedAddress", "resolve"],
  [() => "http://private.test/", "BlockedAddress", "resolve"],
  [() => "http://private172.test/", "BlockedAddress", "resolve"],
  [() => "http://private192.test/", "BlockedAddress", "resolve"],
  [() => "http://metadata.test/latest/meta-data/", "BlockedAddress", "resolve"],
  [() => `http://mapped.test:${P()}/`, "BlockedAddress", "resolve"],
  [() => `http://v6loop.test:${P6()}/`, "BlockedAddress", "resolve"],
  [() => "http://cgnat.test/", "BlockedAddress", "resolve"],
  [() => "http://ula.test/", "BlockedAddress", "resolve"],
  [() => "http://linklocal6.test/", "BlockedAddress", "resolve"],
  [() => `http://zero.test:${P()}/`, "BlockedAddress", "resolve"],
  [() => `http://unspecified6.test:${P()}/`, "BlockedAddress", "resolve"],
  [() => "http://multicast.test/", "BlockedAddress", "resolve"],
  [() => "http://nat64.test/", "BlockedAddress", "resolve"],
  [() => `http://mixed.test:${P()}/`, "BlockedAddress", "resolve"],
  [() => "http://empty.test/", "BlockedAddress", "resolve"],
  [() => "http://garbage.test/", "BlockedAddress", "resolve"],
  // rebinding: public at the check, loopback at connect
  [() => `http://rebind.test:${P()}/`, "BlockedAddress", "connect"],
  // redirects from the allowed server
  [() => `${allowed.origin}/to-canary`, "BlockedAddress", "literal"],
  [() => `${allowed.origin}/to-canary-decimal`, "BlockedAddress", "literal"],
  [() => `${allowed.origin}/to-canary-hex`, "BlockedAddress", "literal"],
  [() => `${allowed.origin}/to-canary-v6`, "BlockedAddress", "literal"],
  [() => `${allowed.origin}/to-canary-mapped`, "BlockedAddress", "literal"],
  [() => `${allowed.origin}/to-canary-protocol-relative`, "BlockedAddress", "literal"],
  [() => `${allowed.origin}/to-canary-name`, "BlockedAddress", "resolve"],
  [() => `${allowed.origin}/to-canary-localhost`, "BlockedAddress", "literal"],
  [() => `${allowed.origin}/to-metadata`, "BlockedAddress", "literal"],
  [() => `${allowed.origin}/to-metadata-name`, "BlockedAddress", "literal"],
  [() => `${allowed.origin}/to-file`, "BlockedScheme"],
  [() => `${allowed.origin}/to-gopher`, "BlockedScheme"],
  [() => `${allowed.origin}/to-userinfo`, "InvalidUrl"],
  [() => `${allowed.origin}/loop`, "TooManyRedirects"],
  [() => `${allowed.origin}/chain/0`, "TooManyRedirects"],
  // other schemes
  [() => "file:///etc/passwd", "BlockedScheme"],
  [() => "file://localhost/etc/hostname", "BlockedScheme"],
  [() => `ftp://127.0.0.1:${P()}/`, "BlockedScheme"],
  [() => `gopher://127.0.0.1:${P()}/_GET%20/`, "BlockedScheme"],
  [() => "data:text/plain,hello", "BlockedScheme"],
  [() => "javascript:alert(1)", "BlockedScheme"],
  [() => `ws://127.0.0.1:${P()}/`, "BlockedScheme"],
  [() => `dict://127.0.0.1:${P()}/`, "BlockedScheme"],
  // credentials in URLs
  [() => `http://user:pass@127.0.0.3:${allowed.port}/ok`, "InvalidUrl"],
  [() => "http://user@example.com/", "InvalidUrl"],
  [() => `http://127.0.0.3:${allowed.port}@127.0.0.1:${P()}/`, "InvalidUrl"],
  // not a URL
  [() => "not a url", "InvalidUrl"],
  [() => "//127.0.0.1/", "InvalidUrl"]
]

describe("SSRF matrix", () => {
  it("has at least 50 URLs", () => {
    expect(matrix.length).toBeGreaterThanOrEqual(50)
  })

  it.live(`refuses all ${matrix.length} URLs with the expected reason, and the canaries see 0 connections`, () =>
    Effect.gen(function*() {
      rebindCalls = 0
      const mismatches: Array<string> = []
      for (const [url, tag, phase] of matrix) {
        const target = url()
        const reason = yield* reasonOf(target)
        const gotPhase = reason._tag === "BlockedAddress" ? reason.phase : undefined
        if (reason._tag !== tag || (phase !== undefined && gotPhase !== phase)) {
          mismatches.push(
            `${target}: expected ${tag}/${phase ?? "-"}, got ${reason._tag}/${gotPhase ?? "-"} (${reason.message})`
          )
        }
        if (target.includes("rebind")) rebindCalls = 0
      }
      assert.deepStrictEqual(mismatches, [])
      assert.strictEqual(canary4.connections(), 0)
      assert.strictEqual(canary6.connections(), 0)
    }))

  it.live("still fetches from the allowed server, directly, through a resolved name and through 5 redirects", () =>
    Effect.gen(function*() {
      const direct = yield* fetcher().fetch(`${allowed.origin}/ok`)
      assert.strictEqual(new TextDecoder().decode(direct.body), "ok")
      const named = yield* fetcher().fetch(`http://feeds.test:${allowed.port}/ok`)
      assert.strictEqual(new TextDecoder().decode(named.body), "ok")
      const chained = yield* GuardedFetch.make({ allow: ["127.0.0.3"], resolve, maxRedirects: 8 })
        .fetch(`${allowed.origin}/chain/0`)
      assert.strictEqual(chained.redirects.length, 8)
      assert.strictEqual(chained.url, `${allowed.origin}/ok`)
      assert.strictEqual(canary4.connections(), 0)
    }))

  it.live("a CIDR allow entry lets an intranet range through; a host entry trusts the host", () =>
    Effect.gen(function*() {
      const outside = yield* GuardedFetch.make({
        allow: ["127.0.0.0/31"],
        resolve: () => Effect.succeed(["127.0.0.3"])
      })
        .fetch(`http://intranet.test:${allowed.port}/ok`).pipe(Effect.flip)
      assert.strictEqual(outside.reason._tag, "BlockedAddress")
      const inside = yield* GuardedFetch.make({ allow: ["127.0.0.0/30"], resolve: () => Effect.succeed(["127.0.0.3"]) })
        .fetch(`http://intranet.test:${allowed.port}/ok`)
      assert.strictEqual(inside.status, 200)
      const byHost = yield* GuardedFetch.make({ allow: ["*.corp.test"], resolve: () => Effect.succeed(["127.0.0.3"]) })
        .fetch(`http://feeds.corp.test:${allowed.port}/ok`)
      assert.strictEqual(byHost.status, 200)
      const notAllowed = yield* GuardedFetch.make({
        allow: ["*.corp.test"],
        resolve: () => Effect.succeed(["127.0.0.3"])
      })
        .fetch(`http://corp.test.evil.test:${allowed.port}/ok`).pipe(Effect.flip)
      assert.strictEqual(notAllowed.reason._tag, "BlockedAddress")
    }))

  it.live("caller headers go to the original origin only: dropped on a cross-origin redirect", () =>
    Effect.gen(function*() {
      const both = GuardedFetch.make({ allow: ["127.0.0.3", "127.0.0.4"], resolve })
      const headers = { authorization: "Bearer secret-token", "x-feed-key": "k" }
      const json = (body: Uint8Array) => JSON.parse(new TextDecoder().decode(body)) as Record<string, string>
      const same = json((yield* both.fetch(`${allowed.origin}/to-self`, { headers })).body)
      assert.strictEqual(same.authorization, "Bearer secret-token")
      const cross = json((yield* both.fetch(`${allowed.origin}/to-witness`, { headers })).body)
      assert.isUndefined(cross.authorization)
      assert.isUndefined(cross["x-feed-key"])
      assert.strictEqual(cross["accept-encoding"], "identity")
    }))

  it.live("the system resolver answers from the hosts file (no network needed)", () =>
    Effect.gen(function*() {
      const addresses = yield* GuardedFetch.systemResolver("localhost")
      assert.isTrue(addresses.some((a) => a === "127.0.0.1" || a === "::1"), addresses.join(","))
    }))

  it("rejects invalid allow-list entries", () => {
    expect(() => GuardedFetch.make({ allow: ["http://x/"] })).toThrow(/invalid allow-list entry/)
    expect(() => GuardedFetch.make({ allow: ["10.0.0.0/33"] })).toThrow(/invalid allow-list entry/)
  })
})

describe("layer 1: the literal pre-check, alone", () => {
  const literals = [
    ["http://127.0.0.1/", "loopback"],
    ["http://2130706433/", "loopback"],
    ["http://017700000001/", "loopback"],
    ["http://0x7f.1/", "loopback"],
    ["http://127.1/", "loopback"],
    ["http://[::ffff:127.0.0.1]/", "ipv4-mapped 127.0.0.1: loopback"],
    ["http://[::ffff:7f00:1]/", "ipv4-mapped 127.0.0.1: loopback"],
    ["http://[fe80::]/", "link-local"],
    ["http://[fc00::]/", "unique-local"],
    ["http://[::1]/", "loopback"],
    ["http://[::]/", "unspecified"],
    ["http://169.254.169.254/", "link-local"],
    ["http://100.64.0.0/", "carrier-grade-nat"],
    ["http://0.1.2.3/", "this-network"],
    ["http://233.252.0.1/", "multicast"],
    ["http://250.1.1.1/", "reserved"]
  ] as const

  it.effect.each(literals)("checkUrl refuses %s without resolving", ([url, rule]) =>
    Effect.gen(function*() {
      resolverCalls = []
      const error = yield* GuardedFetch.checkUrl(url).pipe(Effect.flip)
      assert.strictEqual(error.reason._tag, "BlockedAddress")
      if (error.reason._tag === "BlockedAddress") {
        assert.strictEqual(error.reason.phase, "literal")
        assert.isTrue(error.reason.rule.startsWith(rule), error.reason.rule)
      }
      assert.deepStrictEqual(resolverCalls, [])
    }))

  it.effect("checkUrl passes public literals and names (names are checked later)", () =>
    Effect.gen(function*() {
      for (
        const url of [
          "http://93.184.216.34/",
          "http://[2606:4700::1111]/",
          "https://example.com/feed",
          "http://1.1.1.1/"
        ]
      ) {
        yield* GuardedFetch.checkUrl(url)
      }
    }))

  it("classifies public and non-public addresses", () => {
    const rule = (text: string) => AddressPolicy.classify(AddressPolicy.parseIp(text)!)
    expect(rule("8.8.8.8")).toBeUndefined()
    expect(rule("2606:4700::1111")).toBeUndefined()
    expect(rule("::ffff:8.8.8.8")).toBeUndefined()
    expect(rule("172.32.0.1")).toBeUndefined()
    expect(rule("100.128.0.1")).toBeUndefined()
    expect(rule("172.15.255.255")).toBeUndefined()
    expect(rule("2002:0808:0808::1")).toBeUndefined()
    expect(rule("172.16.0.0")).toMatch(/^private/)
    expect(rule("2001::1")).toMatch(/^teredo/)
    expect(rule("4000::1")).toMatch(/^reserved/)
    expect(AddressPolicy.parseIPv4Loose("0x7f.1")).toEqual(AddressPolicy.parseIp("127.0.0.1"))
    expect(AddressPolicy.parseIPv4Loose("017700000001")).toEqual(AddressPolicy.parseIp("127.0.0.1"))
    expect(AddressPolicy.parseIPv4Loose("2130706433")).toEqual(AddressPolicy.parseIp("127.0.0.1"))
    expect(AddressPolicy.parseIPv4Loose("4294967296")).toBeUndefined()
    expect(AddressPolicy.formatIp(AddressPolicy.parseIp("::ffff:127.0.0.1")!)).toBe("::ffff:7f00:1")
  })

  it.live("Node never calls a lookup hook for a literal IP (why layer 1 exists)", () =>
    Effect.promise(() =>
      new Promise<void>((done, reject) => {
        let hookCalls = 0
        const lookup = GuardedFetch.makeGuardedLookup(resolve, undefined, () => hookCalls++)
        // the witness server (127.0.0.4) is not the canary; the hook alone lets it through
        const request = http.get({
          hostname: "127.0.0.4",
          port: witness.port,
          path: "/",
          lookup: lookup as any,
          agent: false
        }, (res) => {
          res.resume()
          res.on("end", () => {
            try {
              expect(hookCalls).toBe(0)
              expect(witness.requests()).toBeGreaterThan(0)
              done()
            } catch (error) {
              reject(error)
            }
          })
        })
        request.on("error", reject)
      })
    ))
})

describe("layer 2: the connect-time lookup hook, alone", () => {
  const hookOnly = () =>
    GuardedFetch.make({ allow: ["127.0.0.3"], resolve, checkBeforeConnect: false, timeout: "5 seconds" })

  const names = [
    "loopback.test",
    "mapped.test",
    "zero.test",
    "metadata.test",
    "private.test",
    "cgnat.test",
    "mixed.test",
    "ula.test",
    "v6loop.test"
  ]

  it.live("refuses names that resolve to non-public addresses at connect time (phase connect)", () =>
    Effect.gen(function*() {
      for (const name of names) {
        resolverCalls = []
        const port = name === "v6loop.test" ? P6() : P()
        const reason = yield* reasonOf(`http://${name}:${port}/`, hookOnly)
        assert.strictEqual(reason._tag, "BlockedAddress", `${name}: ${reason.message}`)
        if (reason._tag === "BlockedAddress") assert.strictEqual(reason.phase, "connect", name)
        assert.deepStrictEqual(resolverCalls, [name])
      }
      assert.strictEqual(canary4.connections(), 0)
      assert.strictEqual(canary6.connections(), 0)
    }))

  it.live("the raw hook on node:http refuses a name resolving to the canary", () =>
    Effect.promise(() =>
      new Promise<void>((done, reject) => {
        const lookup = GuardedFetch.makeGuardedLookup(resolve)
        const request = http.get(
          { hostname: "loopback.test", port: P(), path: "/", lookup: lookup as any, agent: false },
          () => reject(new Error("connected"))
        )
        request.on("error", (error) => {
          try {
            expect(error).toBeInstanceOf(GuardedFetch.BlockedLookupError)
            expect(canary4.connections()).toBe(0)
            done()
          } catch (failure) {
            reject(failure)
          }
        })
      })
    ))

  it.live("https goes through the same hook (refused before any TLS handshake)", () =>
    Effect.gen(function*() {
      const reason = yield* reasonOf(`https://loopback.test:${P()}/`, hookOnly)
      assert.strictEqual(reason._tag, "BlockedAddress")
      if (reason._tag === "BlockedAddress") assert.strictEqual(reason.phase, "connect")
      assert.strictEqual(canary4.connections(), 0)
    }))

  it.live("the hook honours the allow list and connects to an allowed address", () =>
    Effect.gen(function*() {
      const response = yield* hookOnly().fetch(`http://feeds.test:${allowed.port}/ok`)
      assert.strictEqual(response.status, 200)
    }))

  it.live("a resolver failure is a Transport error, not a bypass", () =>
    Effect.gen(function*() {
      const reason = yield* reasonOf("http://nxdomain.test/", hookOnly)
      assert.strictEqual(reason._tag, "Transport")
      const reason2 = yield* reasonOf("http://nxdomain.test/")
      assert.strictEqual(reason2._tag, "Transport")
    }))
})
