/**
 * The mock's search corpus: a dozen canned documents, web pages and X posts with URLs, titles,
 * dates and handles, and the deterministic search the mock's `web_search` and `x_search` run
 * over them. It is NOT the web: the documents are written for tests and examples (fictional
 * sites use `example` domains).
 *
 * A search keeps the documents of the tool's kind (web pages for `web_search`, posts for
 * `x_search`) that pass its filters (allowed or excluded domains, where a domain also covers
 * its subdomains; allowed or excluded handles, without `@`, any case; a date range, inclusive),
 * scores each by the distinct query words (3+ letters, common words excepted) found in its
 * title, text and handle, drops those that score 0, and returns the best first (then newest
 * first, then corpus order), at most `limit` (default 3).
 *
 * @since 0.1.0
 */

/**
 * One document: a web page or an X post.
 *
 * @since 0.1.0
 * @category models
 */
export interface Document {
  readonly kind: "web" | "x"
  readonly url: string
  readonly title: string
  /** ISO date, YYYY-MM-DD. */
  readonly date: string
  /** The author's handle, without `@` (X posts only). */
  readonly handle?: string | undefined
  readonly text: string
}

/**
 * The documents.
 *
 * @since 0.1.0
 * @category constants
 */
export const documents: ReadonlyArray<Document> = [
  {
    kind: "web",
    url: "https://docs.x.ai/developers/tools/web-search",
    title: "Web Search | xAI Docs",
    date: "2026-06-01",
    text: "Web Search is only available on the Responses API. The Live Search on the Chat Completions endpoint " +
      "is deprecated: a request carrying search_parameters gets HTTP 410. Use the web_search and x_search tools."
  },
  {
    kind: "web",
    url: "https://docs.x.ai/developers/migration/may-15-retirement",
    title: "Model retirement on May 15, 2026 | xAI Docs",
    date: "2026-04-20",
    text: "Older Grok models were retired on May 15, 2026. grok-4.3 replaces them for reasoning and " +
      "non-reasoning workloads."
  },
  {
    kind: "web",
    url: "https://effect.website/blog/releases/effect/41",
    title: "Effect 4.1 released",
    date: "2026-07-15",
    text: "Effect 4.1 ships Schema, HTTP, AI, CLI, cluster and workflow modules in one effect package, " +
      "with faster Schema decoding."
  },
  {
    kind: "web",
    url: "https://en.wikipedia.org/wiki/Retrieval-augmented_generation",
    title: "Retrieval-augmented generation - Wikipedia",
    date: "2026-03-02",
    text: "Retrieval-augmented generation (RAG) lets a language model answer from documents it retrieves " +
      "at query time, and cite them as sources."
  },
  {
    kind: "web",
    url: "https://news.example.com/2026/10/12/solar-record-europe",
    title: "Solar output hits a record in Europe",
    date: "2026-10-12",
    text: "Solar panels produced a record share of Europe's electricity in September, grid operators said; " +
      "solar energy passed wind energy for the first time."
  },
  {
    kind: "web",
    url: "https://news.example.com/2026/09/03/fusion-milestone",
    title: "Fusion startup reports a net energy milestone",
    date: "2026-09-03",
    text: "A fusion energy startup reported more energy out than in for five seconds, a milestone for " +
      "commercial fusion power."
  },
  {
    kind: "web",
    url: "https://blog.example.org/agents/tool-calling-loops",
    title: "How agent loops call tools",
    date: "2026-08-21",
    text: "An agent loop sends the conversation, runs the tools the model calls, answers every call once " +
      "and repeats until the model answers. Search tools give agents fresh sources to cite."
  },
  {
    kind: "web",
    url: "https://papers.example.org/abs/2609.01234",
    title: "Citations in search-augmented language model answers",
    date: "2026-09-10",
    text: "We measure how often search-augmented models cite the sources they read; url citations with " +
      "titles and dates make answers easier to verify."
  },
  {
    kind: "x",
    url: "https://x.com/grokit_dev/status/1970000000000000001",
    title: "Post by @grokit_dev",
    date: "2026-10-01",
    handle: "grokit_dev",
    text: "grokit agents now search the web and X through server-side tools on the Responses API, and read " +
      "RSS feeds locally, with citations."
  },
  {
    kind: "x",
    url: "https://x.com/energy_daily/status/1970000000000000002",
    title: "Post by @energy_daily",
    date: "2026-10-13",
    handle: "energy_daily",
    text: "Record solar output in Europe yesterday: solar energy beat wind energy for the first time."
  },
  {
    kind: "x",
    url: "https://x.com/agent_builder/status/1970000000000000003",
    title: "Post by @agent_builder",
    date: "2026-08-30",
    handle: "agent_builder",
    text: "Tip: give your agent loop a search tool and make it cite sources. Every tool call answered once."
  },
  {
    kind: "x",
    url: "https://x.com/rag_notes/status/1970000000000000004",
    title: "Post by @rag_notes",
    date: "2026-05-18",
    handle: "rag_notes",
    text: "Retrieval beats memory: RAG answers cite documents retrieved at query time. Effect 4.1 makes " +
      "the plumbing typed."
  }
]

/**
 * Filters and size of one search.
 *
 * @since 0.1.0
 * @category models
 */
export interface Query {
  readonly kind: "web" | "x"
  readonly text: string
  readonly limit?: number | undefined
  readonly allowedDomains?: ReadonlyArray<string> | undefined
  readonly excludedDomains?: ReadonlyArray<string> | undefined
  readonly allowedHandles?: ReadonlyArray<string> | undefined
  readonly excludedHandles?: ReadonlyArray<string> | undefined
  readonly fromDate?: string | undefined
  readonly toDate?: string | undefined
}

const COMMON_WORDS = new Set([
  "and",
  "are",
  "about",
  "any",
  "can",
  "did",
  "does",
  "for",
  "from",
  "has",
  "have",
  "how",
  "its",
  "new",
  "news",
  "not",
  "now",
  "please",
  "search",
  "tell",
  "that",
  "the",
  "their",
  "them",
  "then",
  "there",
  "this",
  "was",
  "what",
  "when",
  "where",
  "which",
  "who",
  "why",
  "with",
  "you",
  "your",
  "latest",
  "web",
  "find",
  "read",
  "feeds",
  "feed",
  "sources",
  "source",
  "cite"
])

/**
 * The words of a query that count: lower case, 3+ letters or digits, common words excepted,
 * each once.
 *
 * @since 0.1.0
 * @category searching
 */
export const queryWords = (text: string): ReadonlyArray<string> => {
  const words = text.toLowerCase().match(/[a-z0-9][a-z0-9.]*[a-z0-9]|[a-z0-9]/g) ?? []
  const out: Array<string> = []
  for (const word of words) {
    if (word.length >= 3 && !COMMON_WORDS.has(word) && !out.includes(word)) out.push(word)
  }
  return out
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).hostname.toLowerCase()
  } catch {
    return ""
  }
}

const normalizeDomain = (domain: string): string =>
  domain.trim().toLowerCase().replace(/^[a-z]+:\/\//, "").replace(/\/.*$/, "").replace(/^www\./, "")

const inDomain = (host: string, domain: string): boolean => {
  const wanted = normalizeDomain(domain)
  const bare = host.replace(/^www\./, "")
  return bare === wanted || bare.endsWith(`.${wanted}`)
}

const normalizeHandle = (handle: string): string => handle.trim().replace(/^@/, "").toLowerCase()

/**
 * Runs a search over the corpus, as the module documentation says.
 *
 * @example
 * ```ts
 * import { MockSearchCorpus } from "@grokit/mock"
 *
 * MockSearchCorpus.search({ kind: "web", text: "solar energy record", excludedDomains: ["wikipedia.org"] })
 * // => [{ url: "https://news.example.com/2026/10/12/solar-record-europe", ... }, ...]
 * ```
 *
 * @since 0.1.0
 * @category searching
 */
export const search = (query: Query): ReadonlyArray<Document> => {
  const words = queryWords(query.text)
  const limit = Math.max(0, Math.floor(query.limit ?? 3))
  const scored: Array<{ readonly document: Document; readonly score: number; readonly index: number }> = []
  documents.forEach((document, index) => {
    if (document.kind !== query.kind) return
    const host = hostOf(document.url)
    if (query.allowedDomains !== undefined && query.allowedDomains.length > 0) {
      if (!query.allowedDomains.some((domain) => inDomain(host, domain))) return
    }
    if (query.excludedDomains?.some((domain) => inDomain(host, domain)) === true) return
    const handle = document.handle === undefined ? undefined : normalizeHandle(document.handle)
    if (query.allowedHandles !== undefined && query.allowedHandles.length > 0) {
      if (handle === undefined || !query.allowedHandles.some((wanted) => normalizeHandle(wanted) === handle)) return
    }
    if (handle !== undefined && query.excludedHandles?.some((excluded) => normalizeHandle(excluded) === handle)) {
      return
    }
    if (query.fromDate !== undefined && document.date < query.fromDate.slice(0, 10)) return
    if (query.toDate !== undefined && document.date > query.toDate.slice(0, 10)) return
    const haystack = `${document.title} ${document.text} ${document.handle ?? ""}`.toLowerCase()
    let score = 0
    for (const word of words) if (haystack.includes(word)) score++
    if (score > 0) scored.push({ document, score, index })
  })
  scored.sort((a, b) =>
    b.score - a.score || (a.document.date < b.document.date ? 1 : a.document.date > b.document.date ? -1 : 0) ||
    a.index - b.index
  )
  return scored.slice(0, limit).map((entry) => entry.document)
}
