import { afterAll, assert, beforeAll, describe, expect, it } from "@effect/vitest"
import { FeedParser, GuardedFetch, RssAdapter } from "@grokit/search"
import { Effect } from "effect"
import fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { vi } from "vitest"
import * as Feeds from "./support/Feeds.ts"
import { type Canary, startCanary, startServer, type TestServer } from "./support/Servers.ts"

const MiB = 1024 * 1024

describe("well-formed feeds", () => {
  const entries: ReadonlyArray<Feeds.FixtureEntry> = [
    {
      title: "First <b>bold</b> & more",
      link: "https://example.com/1",
      date: "Tue, 10 Mar 2026 08:00:00 GMT",
      summary: "<p>Hello&nbsp;<a href=\"https://x\">world</a></p><script>alert(1)</script>"
    },
    { title: "Second", link: "/relative/2", date: "2026-03-11T09:30:00Z", summary: "plain" }
  ]

  it.effect("parses RSS 2.0 (HTML stripped, entities decoded once, relative links resolved)", () =>
    Effect.gen(function*() {
      const feed = yield* FeedParser.parse(Feeds.rss2("My <feed>", entries), {
        baseUrl: "https://example.com/feed.xml"
      })
      assert.strictEqual(feed.format, "rss2")
      assert.strictEqual(feed.title, "My")
      assert.strictEqual(feed.link, "https://example.com/")
      assert.strictEqual(feed.entries.length, 2)
      const [first, second] = feed.entries
      assert.strictEqual(first!.title, "First bold & more")
      assert.strictEqual(first!.url, "https://example.com/1")
      assert.strictEqual(first!.published?.toISOString(), "2026-03-10T08:00:00.000Z")
      assert.strictEqual(first!.summary, "Hello world")
      assert.strictEqual(second!.url, "https://example.com/relative/2")
      assert.strictEqual(second!.published?.toISOString(), "2026-03-11T09:30:00.000Z")
    }))

  it.effect("parses RSS 1.0 (RDF) with dc:date", () =>
    Effect.gen(function*() {
      const feed = yield* FeedParser.parse(Feeds.rss1("RDF feed", entries))
      assert.strictEqual(feed.format, "rss1")
      assert.strictEqual(feed.title, "RDF feed")
      assert.strictEqual(feed.entries.length, 2)
      assert.strictEqual(feed.entries[0]!.url, "https://example.com/1")
      assert.strictEqual(feed.entries[1]!.published?.toISOString(), "2026-03-11T09:30:00.000Z")
    }))

  it.effect("parses Atom (type=html titles, rel=alternate links, updated dates)", () =>
    Effect.gen(function*() {
      const feed = yield* FeedParser.parse(Feeds.atom("Atom feed", entries), { baseUrl: "https://example.net/atom" })
      assert.strictEqual(feed.format, "atom")
      assert.strictEqual(feed.title, "Atom feed")
      assert.strictEqual(feed.link, "https://example.net/")
      assert.strictEqual(feed.entries[0]!.title, "First bold & more")
      assert.strictEqual(feed.entries[0]!.summary, "Hello world")
      assert.strictEqual(feed.entries[1]!.url, "https://example.net/relative/2")
    }))

  it.effect("CDATA, xml:base, guid permalinks, javascript: links dropped, caps applied", () =>
    Effect.gen(function*() {
      const xml = `<rss version="2.0"><channel><title>c</title>
        <item><title><![CDATA[<i>Cdata</i> title]]></title><guid>https://example.com/guid</guid>
          <description><![CDATA[<div>${"word ".repeat(1000)}</div>]]></description></item>
        <item><title>bad link</title><link>javascript:alert(1)</link></item>
        <item><title>data link</title><link>data:text/html,x</link></item>
      </channel></rss>`
      const feed = yield* FeedParser.parse(xml, { maxSummaryLength: 50 })
      assert.strictEqual(feed.entries[0]!.title, "Cdata title")
      assert.strictEqual(feed.entries[0]!.url, "https://example.com/guid")
      assert.isAtMost(Array.from(feed.entries[0]!.summary).length, 50)
      assert.isTrue(feed.entries[0]!.summary.endsWith("…"))
      assert.strictEqual(feed.entries[1]!.url, undefined)
      assert.strictEqual(feed.entries[2]!.url, undefined)
      const atomXml = `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://base.example/dir/">
        <entry xml:base="sub/"><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">X<b>html</b></div></title>
        <link href="page.html"/><published>2026-01-02T03:04:05+01:00</published><content>c</content></entry></feed>`
      const atomFeed = yield* FeedParser.parse(atomXml)
      assert.strictEqual(atomFeed.entries[0]!.url, "https://base.example/dir/sub/page.html")
      assert.strictEqual(atomFeed.entries[0]!.title, "X html")
      assert.strictEqual(atomFeed.entries[0]!.published?.toISOString(), "2026-01-02T02:04:05.000Z")
    }))

  it.effect("decodes bytes by BOM, HTTP charset and XML declaration", () =>
    Effect.gen(function*() {
      const latin = Uint8Array.from(
        Buffer.from(
          "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><item><title>caf\u00e9</title></item></channel></rss>",
          "latin1"
        )
      )
      assert.strictEqual((yield* FeedParser.parse(latin)).entries[0]!.title, "café")
      const utf16 = Uint8Array.from([
        0xff,
        0xfe,
        ...Buffer.from("<rss><channel><item><title>ü</title></item></channel></rss>", "utf16le")
      ])
      assert.strictEqual((yield* FeedParser.parse(utf16)).entries[0]!.title, "ü")
      const withCharset = yield* FeedParser.parse(latin, { charset: "windows-1252" })
      assert.strictEqual(withCharset.entries[0]!.title, "café")
      assert.strictEqual(FeedParser.charsetOf("application/rss+xml; charset=\"ISO-8859-1\""), "ISO-8859-1")
    }))

  it.effect("refuses documents that are not feeds, and malformed ones", () =>
    Effect.gen(function*() {
      const notFeed = yield* FeedParser.parse("<html><body>hi</body></html>").pipe(Effect.flip)
      assert.strictEqual(notFeed.reason, "NotAFeed")
      const empty = yield* FeedParser.parse("   ").pipe(Effect.flip)
      assert.strictEqual(empty.reason, "NotAFeed")
      for (
        const bad of [
          "<rss><!-- never closed",
          "<rss><![CDATA[ never",
          "<rss a='x",
          "<!DOCTYPE rss [ <rss>",
          "<rss><a<b<c"
        ]
      ) {
        const error = yield* FeedParser.parse(bad).pipe(Effect.flip)
        assert.strictEqual(error.reason, "Malformed", bad)
      }
    }))

  it("sanitizeText strips tags, scripts, invisible characters and collapses whitespace", () => {
    const input =
      "<style>p{}</style>A\u200Bdmin\u202E <b>note</b>\u0007\n\n  &amp;lt;x&amp;gt; \u{E0041}\u{E0042} &#x41; &bogus; \uD800"
    expect(FeedParser.sanitizeText(input, 200)).toBe("Admin note &lt;x&gt; A &bogus;")
    expect(FeedParser.sanitizeText("😀".repeat(10), 5)).toBe("😀😀😀😀…")
  })
})

// -------------------------------------------------------------------------------------------
// reliability.md §6 item 20: hostile feeds
// -------------------------------------------------------------------------------------------

interface Measurement {
  readonly name: string
  readonly outcome: string
  readonly ms: number
  readonly heapMiB: number
}

const measurements: Array<Measurement> = []
const gc = (globalThis as { gc?: () => void }).gc

const measure = <A>(name: string, run: () => A, describeOutcome: (a: A) => string): A => {
  gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  const started = performance.now()
  const value = run()
  const ms = performance.now() - started
  // growth right after the parse, before any forced collection: garbage made by the parse counts
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / MiB
  measurements.push({ name, outcome: describeOutcome(value), ms, heapMiB })
  return value
}

const outcome = (result: FeedParser.Feed | FeedParser.FeedParseError): string =>
  result instanceof FeedParser.FeedParseError
    ? `FeedParseError(${result.reason})`
    : `feed: ${result.entries.length} entries`

let canary: Canary
let feedServer: TestServer
let secretPath: string
const SECRET = "SECRET-CANARY-7b1f2c"
const fileSpies: Array<ReturnType<typeof vi.spyOn>> = []

beforeAll(async () => {
  canary = await startCanary("127.0.0.1")
  feedServer = await startServer("127.0.0.6")
  const huge = Buffer.from(Feeds.hugeFeed(50 * MiB))
  feedServer.route("/huge-declared.xml", (_, res) => {
    res.setHeader("content-type", "application/rss+xml")
    res.setHeader("content-length", String(huge.length))
    res.end(huge)
  })
  feedServer.route("/huge-chunked.xml", (_, res) => {
    res.setHeader("content-type", "application/rss+xml")
    let offset = 0
    const write = () => {
      while (offset < huge.length && !res.destroyed) {
        const piece = huge.subarray(offset, offset + 256 * 1024)
        offset += piece.length
        if (!res.write(piece)) return void res.once("drain", write)
      }
      res.end()
    }
    write()
  })
  secretPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "grokit-xxe-")), "secret.txt")
  fs.writeFileSync(secretPath, SECRET)
  for (const name of ["readFileSync", "readFile", "openSync", "open", "createReadStream"] as const) {
    fileSpies.push(vi.spyOn(fs, name))
  }
  fileSpies.push(vi.spyOn(fs.promises, "readFile"), vi.spyOn(fs.promises, "open"))
})

afterAll(async () => {
  for (const spy of fileSpies) spy.mockRestore()
  fs.rmSync(path.dirname(secretPath), { recursive: true, force: true })
  await Promise.all([canary.close(), feedServer.close()])
  // the figures for the report (reliability.md §6 item 20: within 1 s and < 64 MB each)
  console.log(
    "hostile feeds (time, heap growth):\n" +
      measurements.map((m) =>
        `  ${m.name.padEnd(34)} ${m.outcome.padEnd(30)} ${m.ms.toFixed(1).padStart(8)} ms ${
          m.heapMiB.toFixed(2).padStart(8)
        } MiB`
      ).join("\n")
  )
})

const fileReads = () => fileSpies.reduce((n, spy) => n + spy.mock.calls.length, 0)

describe("hostile feeds: each a typed error or sanitized output, bounded time and heap, no I/O", () => {
  it("billion laughs: entities are not expanded", () => {
    const result = measure("billion laughs", () => FeedParser.parseSync(Feeds.billionLaughs()), outcome)
    assert.notInstanceOf(result, FeedParser.FeedParseError)
    const feed = result as FeedParser.Feed
    assert.strictEqual(feed.entries[0]!.title, "&lol9;")
    assert.isAtMost(feed.entries[0]!.summary.length, 1000)
  })

  it("quadratic blow-up: one 100 kB entity x 50 000 references stays small", () => {
    const result = measure("quadratic blow-up", () => FeedParser.parseSync(Feeds.quadraticBlowup()), outcome)
    const feed = result as FeedParser.Feed
    assert.strictEqual(feed.entries[0]!.title, "quadratic")
    assert.isAtMost(Array.from(feed.entries[0]!.summary).length, 1000)
    assert.notInclude(feed.entries[0]!.summary, "AAAA")
  })

  it("XXE (file): the file is never read, its content never appears", () => {
    const before = fileReads()
    const result = measure("XXE file:///", () => FeedParser.parseSync(Feeds.xxeFile(secretPath)), outcome)
    const feed = result as FeedParser.Feed
    assert.notInclude(JSON.stringify(feed), SECRET)
    assert.strictEqual(feed.entries[0]!.title, "&xxe;")
    assert.strictEqual(fileReads() - before, 0)
  })

  it("XXE (http), external DTD, parameter entities: no request reaches the canary", () => {
    const url = `http://127.0.0.1:${canary.port}/evil`
    const xxe = measure("XXE http://", () => FeedParser.parseSync(Feeds.xxeHttp(url)), outcome)
    const dtd = measure("external DTD", () => FeedParser.parseSync(Feeds.externalDtd(`${url}.dtd`)), outcome)
    const pe = measure("parameter entities", () => FeedParser.parseSync(Feeds.parameterEntity(url)), outcome)
    for (const result of [xxe, dtd, pe]) assert.notInstanceOf(result, FeedParser.FeedParseError)
    assert.strictEqual((dtd as FeedParser.Feed).entries[0]!.title, "dtd &ext;")
    assert.strictEqual(canary.connections(), 0)
  })

  it("5 000-deep nesting: TooDeep, no stack overflow", () => {
    const result = measure("5 000-deep nesting", () => FeedParser.parseSync(Feeds.deepNesting(5000)), outcome)
    assert.instanceOf(result, FeedParser.FeedParseError)
    assert.strictEqual((result as FeedParser.FeedParseError).reason, "TooDeep")
    const deeper = measure("500 000-deep nesting", () => FeedParser.parseSync(Feeds.deepNesting(500_000)), outcome)
    assert.strictEqual((deeper as FeedParser.FeedParseError).reason, "TooDeep")
    // 60 levels under the item still parse
    assert.notInstanceOf(FeedParser.parseSync(Feeds.deepNesting(55)), FeedParser.FeedParseError)
  })

  it("__proto__ / constructor tags and attributes are plain names", () => {
    const result = measure("__proto__/constructor tags", () => FeedParser.parseSync(Feeds.prototypeTags()), outcome)
    const feed = result as FeedParser.Feed
    assert.strictEqual(feed.entries[0]!.title, "safe title")
    assert.strictEqual(feed.entries[0]!.url, "https://example.com/p")
    assert.isUndefined(({} as Record<string, unknown>).polluted)
    assert.isUndefined(({} as Record<string, unknown>).isAdmin)
    assert.isUndefined((Object.prototype as Record<string, unknown>).polluted)
    assert.strictEqual(Object.getPrototypeOf(feed.entries[0]), Object.prototype)
  })

  it("invalid UTF-8: replacement characters, no exception", () => {
    const result = measure("invalid UTF-8", () => FeedParser.parseSync(Feeds.invalidUtf8()), outcome)
    const feed = result as FeedParser.Feed
    assert.isTrue(feed.entries[0]!.title.startsWith("a"))
    assert.isTrue(feed.entries[0]!.title.endsWith("b"))
    assert.include(feed.entries[0]!.title, "\uFFFD")
    assert.strictEqual(feed.entries[0]!.url, "https://example.com/u")
  })

  it("a 50 MiB string is refused by the parser's own cap before any work", () => {
    const huge = Feeds.hugeFeed(50 * MiB)
    const result = measure("50 MiB string (parser cap)", () => FeedParser.parseSync(huge), outcome)
    assert.strictEqual((result as FeedParser.FeedParseError).reason, "TooLarge")
    const bytes = measure("50 MiB bytes (parser cap)", () => FeedParser.parseSync(new Uint8Array(50 * MiB)), outcome)
    assert.strictEqual((bytes as FeedParser.FeedParseError).reason, "TooLarge")
  })

  it("a 4 MiB feed under the cap parses in bounded time (entries capped at 500)", () => {
    const result = measure("4 MiB feed (under the cap)", () => FeedParser.parseSync(Feeds.hugeFeed(4 * MiB)), outcome)
    const feed = result as FeedParser.Feed
    assert.strictEqual(feed.entries.length, 500)
    assert.isTrue(feed.truncated)
  })

  it("more hostile shapes: element floods, attribute floods, unterminated constructs, '<' floods", () => {
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      ["200 000 empty elements", `<rss><channel>${"<x/>".repeat(200_000)}</channel></rss>`, "TooManyElements"],
      [
        "100 000 attributes",
        `<rss><channel><item ${Array.from({ length: 100_000 }, (_, i) => `a${i}=""`).join(" ")}>`,
        "Malformed"
      ],
      ["unterminated DOCTYPE (2 MiB)", `<!DOCTYPE rss [${"<!ENTITY a 'x'>".repeat(140_000)}`, "Malformed"],
      ["unterminated comment (2 MiB)", `<rss><!--${"-".repeat(2 * MiB)}`, "Malformed"],
      ["'<' flood (2 MiB)", `<rss><channel><item><title>${"< ".repeat(MiB)}</title></item></channel></rss>`, "feed"],
      ["'&' flood (2 MiB)", `<rss><channel><item><title>${"&#".repeat(MiB)}</title></item></channel></rss>`, "feed"],
      ["open-tag flood (2 MiB)", `<rss>${"<a>".repeat(700_000)}`, "TooDeep"],
      ["close-tag flood (2 MiB)", `<rss>${"</a>".repeat(500_000)}</rss>`, "NotAFeed"]
    ]
    for (const [name, xml, expected] of cases) {
      const result = measure(name, () => FeedParser.parseSync(xml), outcome)
      if (expected === "feed") assert.notInstanceOf(result, FeedParser.FeedParseError, name)
      else if (expected === "NotAFeed") {
        // closing tags alone leave an empty <rss>: a feed with no entries
        assert.isTrue(result instanceof FeedParser.FeedParseError || result.entries.length === 0, name)
      } else assert.strictEqual((result as FeedParser.FeedParseError).reason, expected, name)
    }
  })

  it.live("a 50 MiB feed served locally is refused by the fetch cap (declared and chunked)", () =>
    Effect.gen(function*() {
      const fetcher = GuardedFetch.make({ allow: ["127.0.0.6"] })
      for (const file of ["huge-declared.xml", "huge-chunked.xml"]) {
        gc?.()
        const heapBefore = process.memoryUsage().heapUsed
        const started = performance.now()
        const error = yield* RssAdapter.readFeed(fetcher, `${feedServer.origin}/${file}`).pipe(Effect.flip)
        const ms = performance.now() - started
        measurements.push({
          name: `50 MiB served (${file.includes("declared") ? "Content-Length" : "chunked"})`,
          outcome: `${error._tag}(${error._tag === "GuardedFetchError" ? error.reason._tag : error.reason})`,
          ms,
          heapMiB: (process.memoryUsage().heapUsed - heapBefore) / MiB
        })
        assert.strictEqual(error._tag, "GuardedFetchError")
        if (error._tag === "GuardedFetchError") assert.strictEqual(error.reason._tag, "TooLarge")
      }
    }))

  it("every hostile parse stayed within the bounds (generous time bound; see the printed figures)", () => {
    for (const m of measurements) {
      // heap: the §6 item 20 figure is < 64 MB; time: generous 5 s bound for CI noise (target 1 s)
      assert.isBelow(m.heapMiB, 64, m.name)
      assert.isBelow(m.ms, 5000, m.name)
    }
    assert.strictEqual(canary.connections(), 0)
    assert.strictEqual(fileReads(), 0)
  })

  it("the parser and the wrapper import no file or network module", () => {
    // (runs after the I/O assertions above: reading the sources here is the test's own read)
    const source = (file: string): string => fs.readFileSync(new URL(`../src/${file}`, import.meta.url), "utf8")
    const parserImports = [...source("FeedParser.ts").matchAll(/^import .* from "([^"]+)"/gm)].map((m) => m[1])
    expect(parserImports).toEqual(["effect"])
    const wrapperImports = [...source("UntrustedContent.ts").matchAll(/^import .* from "([^"]+)"/gm)].map((m) => m[1])
    expect(wrapperImports).toEqual(["node:crypto"])
  })
})
