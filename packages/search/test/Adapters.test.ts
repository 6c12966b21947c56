import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { GuardedFetch, NewsAdapter, RssAdapter, SearchAdapter, SearchTool, UntrustedContent } from "@grokit/search"
import { Effect, Layer, Option, Stream } from "effect"
import * as Feeds from "./support/Feeds.ts"
import { type Canary, startCanary, startServer, type TestServer } from "./support/Servers.ts"

const HOST = "127.0.0.7"
let server: TestServer
let canary: Canary

const day = (d: number, hour = 12) => new Date(Date.UTC(2026, 0, d, hour)).toUTCString()

beforeAll(async () => {
  server = await startServer(HOST)
  canary = await startCanary("127.0.0.1")
  const rssBody = Feeds.rss2("Feed A", [
    { title: "A3", link: "https://a.example/3", date: day(3), summary: "third" },
    { title: "A1", link: "https://a.example/1", date: day(1), summary: "first" },
    { title: "A6", link: "https://a.example/6", date: day(6), summary: "sixth" },
    { title: "A5 late evening", link: "https://a.example/5", date: day(5, 23), summary: "fifth" },
    { title: "undated", link: "https://a.example/u", summary: "no date" },
    { title: "A2", link: "https://a.example/2", date: day(2, 0), summary: "second" }
  ])
  const atomBody = Feeds.atom("Feed B", [
    { title: "B4", link: "https://b.example/4", date: "2026-01-04T10:00:00Z", summary: "fourth" },
    { title: "B2", link: "https://b.example/2", date: "2026-01-02T18:00:00Z", summary: "second b" },
    { title: "dup of A3", link: "https://a.example/3", date: "2026-01-03T12:00:00Z", summary: "dup" }
  ])
  const news = Feeds.rss2("News", [
    {
      title: "Rust compiler release",
      link: "https://news.example/rust",
      date: day(4),
      summary: "The Rust compiler 2.0"
    },
    { title: "Weather", link: "https://news.example/weather", date: day(5), summary: "Sunny" },
    { title: "Compiler bugs", link: "https://blocked.example/compiler", date: day(6), summary: "A compiler story" },
    { title: "Go release", link: "https://news.example/go", date: day(3), summary: "Go 2 compiler news" }
  ])
  const serve = (body: string, type: string) => (_: unknown, res: import("node:http").ServerResponse) => {
    res.setHeader("content-type", type)
    res.end(body)
  }
  server.route("/a.xml", serve(rssBody, "application/rss+xml; charset=utf-8"))
  server.route("/b.atom", serve(atomBody, "application/atom+xml"))
  server.route("/news.xml", serve(news, "application/rss+xml"))
  server.route("/html", serve("<html><body>not a feed</body></html>", "text/html"))
  server.route("/moved.xml", (_, res) => {
    res.statusCode = 301
    res.setHeader("location", "/a.xml")
    res.end()
  })
})

afterAll(async () => {
  await Promise.all([server.close(), canary.close()])
})

const Fetch = GuardedFetch.layer({ allow: [HOST], timeout: "5 seconds" })
const url = (path: string) => `${server.origin}${path}`

describe("RssAdapter", () => {
  it.live("entries of all feeds in the date range, newest first, at most maxResults, deduplicated", () =>
    Effect.gen(function*() {
      const adapter = yield* RssAdapter.make({ feeds: [url("/a.xml"), url("/b.atom")] })
      const results = yield* adapter.search({
        text: "ignored",
        fromDate: SearchAdapter.dateBound("2026-01-02", "start"),
        toDate: SearchAdapter.dateBound("2026-01-05", "end"),
        maxResults: 4
      })
      assert.deepStrictEqual(results.map((r) => r.title), ["A5 late evening", "B4", "A3", "B2"])
      assert.strictEqual(results[0]!.source, url("/a.xml"))
      assert.strictEqual(results[1]!.source, url("/b.atom"))
      const all = yield* adapter.search({ text: "", maxResults: 100 })
      assert.deepStrictEqual(all.map((r) => r.title), [
        "A6",
        "A5 late evening",
        "B4",
        "A3",
        "B2",
        "A2",
        "A1",
        "undated"
      ])
      const one = yield* adapter.search({ text: "", maxResults: 1 })
      assert.deepStrictEqual(one.map((r) => r.title), ["A6"])
      const none = yield* adapter.search({ text: "", maxResults: 5, fromDate: new Date("2027-01-01") })
      assert.deepStrictEqual(none, [])
    }).pipe(Effect.provide(Fetch)))

  it.live("follows redirects to the feed, resolving through the guarded fetcher", () =>
    Effect.gen(function*() {
      const adapter = yield* RssAdapter.make({ feeds: [url("/moved.xml")] })
      const results = yield* adapter.search({ text: "", maxResults: 2 })
      assert.deepStrictEqual(results.map((r) => r.title), ["A6", "A5 late evening"])
    }).pipe(Effect.provide(Fetch)))

  it.live("a failing feed is skipped when others answer; all failing is a SearchError with each failure", () =>
    Effect.gen(function*() {
      const partial = yield* RssAdapter.make({ feeds: [url("/missing.xml"), url("/a.xml")] })
      const results = yield* partial.search({ text: "", maxResults: 1 })
      assert.deepStrictEqual(results.map((r) => r.title), ["A6"])
      const broken = yield* RssAdapter.make({
        feeds: [url("/missing.xml"), url("/html"), `http://127.0.0.1:${canary.port}/feed.xml`, "file:///etc/passwd"]
      })
      const error = yield* broken.search({ text: "", maxResults: 5 }).pipe(Effect.flip)
      assert.strictEqual(error._tag, "SearchError")
      assert.deepStrictEqual(
        error.failures.map((f) => f.error._tag === "GuardedFetchError" ? f.error.reason._tag : f.error.reason),
        ["HttpStatus", "NotAFeed", "BlockedAddress", "BlockedScheme"]
      )
      const none = yield* (yield* RssAdapter.make({ feeds: [] })).search({ text: "", maxResults: 5 }).pipe(Effect.flip)
      assert.strictEqual(none.description, "no feeds are configured")
      assert.strictEqual(canary.connections(), 0)
    }).pipe(Effect.provide(Fetch)))

  it.live("RssAdapter.layer provides the adapter of the rss source", () =>
    Effect.gen(function*() {
      const adapter = yield* SearchAdapter.forSource("rss")
      assert.strictEqual(adapter.name, "rss")
      const results = yield* adapter.search({ text: "", maxResults: 1 })
      assert.strictEqual(results.length, 1)
    }).pipe(Effect.provide(RssAdapter.layer({ feeds: [url("/a.xml")] }).pipe(Layer.provide(Fetch)))))
})

describe("NewsAdapter", () => {
  it.live("keeps entries matching the query, most terms first then newest, without excluded domains", () =>
    Effect.gen(function*() {
      const adapter = yield* NewsAdapter.make({ feeds: [url("/news.xml")] })
      const results = yield* adapter.search({ text: "rust compiler", maxResults: 10 })
      assert.deepStrictEqual(results.map((r) => r.title), ["Rust compiler release", "Compiler bugs", "Go release"])
      const excluded = yield* adapter.search({ text: "compiler", maxResults: 10, excludedDomains: ["blocked.example"] })
      assert.deepStrictEqual(excluded.map((r) => r.title), ["Rust compiler release", "Go release"])
      const everything = yield* adapter.search({ text: "the latest news", maxResults: 2 })
      assert.deepStrictEqual(everything.map((r) => r.title), ["Compiler bugs", "Weather"])
      assert.strictEqual(adapter.name, "news")
    }).pipe(Effect.provide(Fetch)))

  it.live("NewsAdapter.layer provides the news source; a user backend can replace it", () =>
    Effect.gen(function*() {
      const fromFeeds = yield* SearchAdapter.forSource("news").pipe(
        Effect.provide(NewsAdapter.layer({ feeds: [url("/news.xml")] }).pipe(Layer.provide(Fetch)))
      )
      assert.strictEqual(fromFeeds.name, "news")
      const backend = SearchAdapter.make("my-news-api", (query) =>
        Effect.succeed([{
          title: `about ${query.text}`,
          url: "https://api.example/1",
          snippet: "s",
          source: "my-news-api"
        }]))
      const custom = yield* SearchAdapter.forSource("news").pipe(
        Effect.provide(SearchAdapter.layer("news", backend))
      )
      assert.strictEqual((yield* custom.search({ text: "x", maxResults: 1 }))[0]!.title, "about x")
    }))
})

describe("SearchAdapter", () => {
  it.effect("custom adapters for any source, as layers; absent sources are None", () =>
    Effect.gen(function*() {
      const engine = SearchAdapter.make("searxng", (query) =>
        Effect.succeed([{
          title: "Self-hosted",
          url: "https://search.example/r",
          snippet: query.text,
          source: "searxng"
        }]))
      const web = yield* Effect.serviceOption(SearchAdapter.forSource("web")).pipe(
        Effect.provide(SearchAdapter.layer("web", engine))
      )
      assert.isTrue(Option.isSome(web))
      const x = yield* Effect.serviceOption(SearchAdapter.forSource("x"))
      assert.isTrue(Option.isNone(x))
      assert.strictEqual(SearchAdapter.forSource("intranet"), SearchAdapter.forSource("intranet"))
    }))

  it("dateBound converts seed dates to an inclusive range", () => {
    assert.strictEqual(SearchAdapter.dateBound("2026-01-05", "start")?.toISOString(), "2026-01-05T00:00:00.000Z")
    assert.strictEqual(SearchAdapter.dateBound("2026-01-05", "end")?.toISOString(), "2026-01-05T23:59:59.999Z")
    assert.strictEqual(
      SearchAdapter.dateBound("2026-01-05T10:00:00Z", "end")?.toISOString(),
      "2026-01-05T10:00:00.000Z"
    )
    assert.isUndefined(SearchAdapter.dateBound("2026-02-30", "start"))
    assert.isUndefined(SearchAdapter.dateBound("yesterday", "start"))
    assert.isUndefined(SearchAdapter.dateBound(undefined, "start"))
  })

  it("hostMatches matches domains and subdomains only", () => {
    assert.isTrue(SearchAdapter.hostMatches("https://www.example.com/x", ["example.com"]))
    assert.isTrue(SearchAdapter.hostMatches("https://example.com/x", ["https://example.com/"]))
    assert.isFalse(SearchAdapter.hostMatches("https://notexample.com/x", ["example.com"]))
    assert.isFalse(SearchAdapter.hostMatches("not a url", ["example.com"]))
  })
})

describe("SearchTool", () => {
  it.live("run: wrapped content plus citations (url, title, date, source)", () =>
    Effect.gen(function*() {
      const adapter = yield* RssAdapter.make({ feeds: [url("/a.xml")] })
      const output = yield* SearchTool.run(adapter, {
        text: "",
        maxResults: 2,
        fromDate: new Date(Date.UTC(2026, 0, 1))
      })
      assert.deepStrictEqual(output.citations, [
        {
          url: "https://a.example/6",
          title: "A6",
          published: "2026-01-06T12:00:00.000Z",
          source: `rss: ${url("/a.xml")}`
        },
        {
          url: "https://a.example/5",
          title: "A5 late evening",
          published: "2026-01-05T23:00:00.000Z",
          source: `rss: ${url("/a.xml")}`
        }
      ])
      assert.strictEqual(UntrustedContent.countBoundary(output.content, output.boundary), 2)
      assert.include(
        output.content,
        "[1] A6\nURL: https://a.example/6\nPublished: 2026-01-06T12:00:00.000Z\nSummary: sixth"
      )
      assert.include(output.content, "[2] A5 late evening")
      assert.include(output.content.split("\n")[0]!, url("/a.xml"))
    }).pipe(Effect.provide(Fetch)))

  it.live("the Tool: the model sees only the wrapped string; the app gets the citations", () =>
    Effect.gen(function*() {
      const adapter = yield* RssAdapter.make({ feeds: [url("/a.xml")] })
      const collected: Array<ReadonlyArray<SearchTool.Citation>> = []
      const feeds = SearchTool.make({
        name: "read_feeds",
        adapter,
        maxResults: 3,
        onCitations: (citations) => Effect.sync(() => void collected.push(citations))
      })
      assert.strictEqual(feeds.tool.name, "read_feeds")
      const toolkit = yield* feeds.toolkit.pipe(Effect.provide(feeds.layer))
      const stream = yield* toolkit.handle("read_feeds", { query: "" })
      const last = yield* Stream.runLast(stream as Stream.Stream<any, unknown>)
      const handled = Option.getOrThrow(last) as {
        readonly result: SearchTool.SearchToolOutput
        readonly encodedResult: unknown
        readonly isFailure: boolean
        readonly modelOutput?: ReadonlyArray<{ readonly type: string; readonly text?: string }>
      }
      assert.isFalse(handled.isFailure)
      assert.strictEqual(typeof handled.encodedResult, "string")
      assert.strictEqual(handled.encodedResult, handled.result.content)
      assert.strictEqual(handled.modelOutput?.[0]?.text, handled.result.content)
      assert.deepStrictEqual(handled.result.citations.map((c) => c.title), ["A6", "A5 late evening", "A3"])
      assert.strictEqual(collected.length, 1)
      const direct = yield* feeds.handler({ query: "" })
      assert.deepStrictEqual(direct.citations, handled.result.citations)
    }).pipe(Effect.provide(Fetch)))

  it.live("a failed search is returned to the model as a SearchToolFailure, not an error", () =>
    Effect.gen(function*() {
      const adapter = yield* RssAdapter.make({ feeds: [url("/missing.xml")] })
      const feeds = SearchTool.make({ name: "read_feeds", adapter })
      const toolkit = yield* feeds.toolkit.pipe(Effect.provide(feeds.layer))
      const stream = yield* toolkit.handle("read_feeds", { query: "" })
      const last = Option.getOrThrow(yield* Stream.runLast(stream as Stream.Stream<any, unknown>)) as {
        readonly isFailure: boolean
        readonly encodedResult: { readonly _tag: string; readonly message: string }
      }
      assert.isTrue(last.isFailure)
      assert.strictEqual(last.encodedResult._tag, "SearchToolFailure")
      assert.include(last.encodedResult.message, "HTTP 404")
    }).pipe(Effect.provide(Fetch)))

  it("refuses invalid tool names", () => {
    const adapter = SearchAdapter.make("x", () => Effect.succeed([]))
    assert.throws(() => SearchTool.make({ name: "bad name", adapter }), /must be 1-64/)
  })

  it.effect("no results is still a well-formed block", () =>
    Effect.gen(function*() {
      const output = yield* SearchTool.run(SearchAdapter.make("empty", () => Effect.succeed([])), {
        text: "",
        maxResults: 5
      })
      assert.include(output.content, "No results matched.")
      assert.deepStrictEqual(output.citations, [])
      assert.strictEqual(UntrustedContent.countBoundary(output.content, output.boundary), 2)
    }))

  it.effect("large result sets are cut between entries, keeping the closing marker", () =>
    Effect.gen(function*() {
      const many = Array.from({ length: 200 }, (_, i) => ({
        title: `entry ${i}`,
        url: `https://many.example/${i}`,
        snippet: "x".repeat(900),
        source: "many"
      }))
      const output = yield* SearchTool.run(SearchAdapter.make("many", () => Effect.succeed(many)), {
        text: "",
        maxResults: 200
      })
      assert.isBelow(new TextEncoder().encode(output.content).length, 32 * 1024)
      assert.isTrue(output.content.endsWith(UntrustedContent.endMarker(output.boundary)))
      assert.include(output.content, "more omitted for size")
      assert.isBelow(output.citations.length, 200)
    }))
})
