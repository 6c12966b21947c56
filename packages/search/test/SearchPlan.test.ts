/**
 * The search planner, as a table: every setting of the seed's `search_parameters` (read from the
 * seed's JSON Schema, so a setting added there fails this test until it has a row) has a tested
 * outcome: mapped onto xAI's tools, served locally, or warned.
 */
import { describe, expect, it } from "@effect/vitest"
import type { SearchParameters } from "@grokit/core"
import { SearchAdapter, SearchPlan } from "@grokit/search"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

type Outcome = "mapped" | "served locally" | "warned"

interface Row {
  /** The seed setting: `mode=<value>`, a top-level key, or `sources[<type>]` / `sources[<type>].<key>`. */
  readonly setting: string
  readonly outcome: ReadonlyArray<Outcome>
  readonly parameters: SearchParameters
  readonly options?: SearchPlan.PlanOptions
  readonly check: (result: SearchPlan.PlanResult) => void
}

const tags = (result: SearchPlan.PlanResult) => result.warnings.map((warning) => warning._tag)
const tool = (result: SearchPlan.PlanResult, type: "web_search" | "x_search") =>
  result.plan.serverTools.find((candidate) => candidate.type === type) as Record<string, unknown> | undefined

const table: ReadonlyArray<Row> = [
  {
    setting: "mode=off",
    outcome: ["mapped", "warned"],
    parameters: { mode: "off", sources: [{ type: "web" }], max_search_results: 3 },
    check: (result) => {
      expect(result.plan.serverTools).toEqual([])
      expect(result.plan.localSearches).toEqual([])
      expect(result.warnings).toEqual([expect.objectContaining({
        _tag: "SearchDisabled",
        setting: "search_parameters.mode",
        unused: ["search_parameters.sources", "search_parameters.max_search_results"]
      })])
    }
  },
  {
    setting: "mode=auto",
    outcome: ["mapped"],
    parameters: { mode: "auto", sources: [{ type: "web" }] },
    check: (result) => {
      expect(result.plan.mode).toBe("auto")
      expect(result.plan.firstStepToolChoice).toBeUndefined()
      expect(result.plan.instructions).toBeUndefined()
      expect(result.warnings).toEqual([])
    }
  },
  {
    setting: "mode=on",
    outcome: ["mapped", "warned"],
    parameters: { mode: "on", sources: [{ type: "web" }] },
    check: (result) => {
      // server-side tools cannot be forced: an instruction, and a warning that says so
      expect(result.plan.firstStepToolChoice).toBeUndefined()
      expect(result.plan.instructions).toContain("Search before you answer")
      expect(tags(result)).toEqual(["ModeOnNotEnforceable"])
    }
  },
  {
    setting: "mode=on",
    outcome: ["mapped"],
    parameters: { mode: "on", sources: [{ type: "rss", links: ["https://example.com/feed.xml"] }] },
    check: (result) => {
      // a local search tool can be forced: tool_choice "required" on the first step
      expect(result.plan.firstStepToolChoice).toBe("required")
      expect(tags(result)).toEqual([])
    }
  },
  {
    setting: "sources",
    outcome: ["mapped"],
    parameters: {},
    check: (result) => {
      // absent: Live Search's default, web and x
      expect(result.plan.serverTools).toEqual([{ type: "web_search" }, { type: "x_search" }])
      expect(result.warnings).toEqual([])
    }
  },
  {
    setting: "sources[web]",
    outcome: ["mapped"],
    parameters: { sources: [{ type: "web" }] },
    check: (result) => expect(result.plan.serverTools).toEqual([{ type: "web_search" }])
  },
  {
    setting: "sources[web]",
    outcome: ["served locally"],
    parameters: { sources: [{ type: "web", excluded_websites: ["spam.example"] }] },
    options: { localSources: ["web"] },
    check: (result) => {
      expect(result.plan.serverTools).toEqual([])
      expect(result.plan.localSearches).toEqual([
        { source: "web", toolName: "search_web", links: [], excludedDomains: ["spam.example"] }
      ])
    }
  },
  {
    setting: "sources[web].excluded_websites",
    outcome: ["mapped"],
    parameters: { sources: [{ type: "web", excluded_websites: ["https://www.Example.com/path", "wikipedia.org"] }] },
    check: (result) =>
      expect(tool(result, "web_search")).toEqual({
        type: "web_search",
        excluded_domains: ["www.example.com", "wikipedia.org"]
      })
  },
  {
    setting: "sources[web].excluded_websites",
    outcome: ["mapped", "warned"],
    parameters: {
      sources: [
        { type: "web", excluded_websites: ["a.com", "b.com", "c.com", "d.com"] },
        { type: "news", excluded_websites: ["c.com", "e.com", "f.com"] }
      ]
    },
    check: (result) => {
      // web and news share web_search's five excluded domains
      expect(tool(result, "web_search")?.excluded_domains).toEqual(["a.com", "b.com", "c.com", "d.com", "e.com"])
      expect(result.warnings).toContainEqual(expect.objectContaining({
        _tag: "Truncated",
        setting: "search_parameters.sources[1].excluded_websites",
        dropped: ["f.com"]
      }))
    }
  },
  {
    setting: "sources[web].country",
    outcome: ["mapped", "warned"],
    parameters: { sources: [{ type: "web", country: "fr" }] },
    check: (result) => {
      expect(tool(result, "web_search")?.user_location).toEqual({ type: "approximate", country: "FR" })
      expect(result.warnings).toEqual([expect.objectContaining({
        _tag: "Approximated",
        setting: "search_parameters.sources[0].country",
        mappedTo: "web_search.user_location.country"
      })])
    }
  },
  {
    setting: "sources[web].safe_search",
    outcome: ["warned"],
    parameters: { sources: [{ type: "web", safe_search: false }] },
    check: (result) => {
      expect(tool(result, "web_search")).toEqual({ type: "web_search" })
      expect(result.warnings).toEqual([expect.objectContaining({
        _tag: "NoEquivalent",
        setting: "search_parameters.sources[0].safe_search"
      })])
    }
  },
  {
    setting: "sources[x]",
    outcome: ["mapped"],
    parameters: { sources: [{ type: "x" }] },
    check: (result) => expect(result.plan.serverTools).toEqual([{ type: "x_search" }])
  },
  {
    setting: "sources[x]",
    outcome: ["served locally", "warned"],
    parameters: { sources: [{ type: "x", x_handles: ["xai"] }] },
    options: { localSources: ["x"] },
    check: (result) => {
      expect(result.plan.localSearches.map((search) => search.toolName)).toEqual(["search_x"])
      expect(tags(result)).toEqual(["NoEquivalent"])
    }
  },
  {
    setting: "sources[x].x_handles",
    outcome: ["mapped"],
    parameters: { sources: [{ type: "x", x_handles: ["@xai", "grok", "xai"] }] },
    check: (result) => {
      expect(tool(result, "x_search")).toEqual({ type: "x_search", allowed_x_handles: ["xai", "grok"] })
      expect(result.warnings).toEqual([])
    }
  },
  {
    setting: "sources[x].x_handles",
    outcome: ["mapped", "warned"],
    parameters: { sources: [{ type: "x", x_handles: Array.from({ length: 12 }, (_, index) => `handle${index}`) }] },
    check: (result) => {
      expect(tool(result, "x_search")?.allowed_x_handles).toHaveLength(10)
      expect(result.warnings).toEqual([
        expect.objectContaining({ _tag: "Truncated", dropped: ["handle10", "handle11"] })
      ])
    }
  },
  {
    setting: "sources[news]",
    outcome: ["served locally"],
    parameters: { sources: [{ type: "news" }] },
    options: { localSources: ["news"] },
    check: (result) => {
      expect(result.plan.serverTools).toEqual([])
      expect(result.plan.localSearches.map((search) => search.toolName)).toEqual(["search_news"])
      expect(result.warnings).toEqual([])
    }
  },
  {
    setting: "sources[news]",
    outcome: ["mapped", "warned"],
    parameters: { sources: [{ type: "news" }] },
    check: (result) => {
      // no news adapter: web_search, with a typed warning that news-only filtering is not available
      expect(result.plan.serverTools).toEqual([{ type: "web_search" }])
      expect(result.warnings).toEqual([expect.objectContaining({
        _tag: "NewsFilteringUnavailable",
        setting: "search_parameters.sources[0]"
      })])
    }
  },
  {
    setting: "sources[news].excluded_websites",
    outcome: ["served locally"],
    parameters: { sources: [{ type: "news", excluded_websites: ["tabloid.example"] }] },
    options: { localSources: ["news"] },
    check: (result) => expect(result.plan.localSearches[0]?.excludedDomains).toEqual(["tabloid.example"])
  },
  {
    setting: "sources[news].excluded_websites",
    outcome: ["mapped", "warned"],
    parameters: { sources: [{ type: "news", excluded_websites: ["tabloid.example"] }] },
    check: (result) => {
      expect(tool(result, "web_search")?.excluded_domains).toEqual(["tabloid.example"])
      expect(tags(result)).toEqual(["NewsFilteringUnavailable"])
    }
  },
  {
    setting: "sources[news].country",
    outcome: ["mapped", "warned"],
    parameters: { sources: [{ type: "news", country: "DE" }] },
    check: (result) => {
      expect(tool(result, "web_search")?.user_location).toEqual({ type: "approximate", country: "DE" })
      expect(tags(result)).toEqual(["NewsFilteringUnavailable", "Approximated"])
    }
  },
  {
    setting: "sources[news].country",
    outcome: ["warned"],
    parameters: { sources: [{ type: "news", country: "DE" }] },
    options: { localSources: ["news"] },
    check: (result) => {
      expect(result.warnings).toEqual([expect.objectContaining({
        _tag: "NoEquivalent",
        setting: "search_parameters.sources[0].country"
      })])
    }
  },
  {
    setting: "sources[news].country",
    outcome: ["warned"],
    parameters: { sources: [{ type: "web", country: "US" }, { type: "news", country: "DE" }] },
    check: (result) => {
      // one location only: the first country is used, the other is warned about
      expect(tool(result, "web_search")?.user_location).toEqual({ type: "approximate", country: "US" })
      expect(result.warnings).toContainEqual(expect.objectContaining({
        _tag: "NoEquivalent",
        setting: "search_parameters.sources[1].country"
      }))
    }
  },
  {
    setting: "sources[news].safe_search",
    outcome: ["warned"],
    parameters: { sources: [{ type: "news", safe_search: true }] },
    options: { localSources: ["news"] },
    check: (result) => expect(tags(result)).toEqual(["NoEquivalent"])
  },
  {
    setting: "sources[rss]",
    outcome: ["served locally"],
    parameters: {
      sources: [{ type: "rss", links: ["https://a.example/feed.xml"] }, {
        type: "rss",
        links: ["https://b.example/atom"]
      }]
    },
    check: (result) => {
      expect(result.plan.serverTools).toEqual([])
      expect(result.plan.localSearches).toEqual([{
        source: "rss",
        toolName: "read_rss_feeds",
        links: ["https://a.example/feed.xml", "https://b.example/atom"],
        excludedDomains: []
      }])
      expect(result.plan.instructions).toContain("untrusted data")
      expect(result.warnings).toEqual([])
    }
  },
  {
    setting: "sources[rss].links",
    outcome: ["warned"],
    parameters: { sources: [{ type: "rss", links: [" "] }] },
    check: (result) => {
      expect(result.plan.localSearches).toEqual([])
      expect(result.warnings).toEqual([expect.objectContaining({
        _tag: "InvalidSetting",
        setting: "search_parameters.sources[0].links"
      })])
    }
  },
  {
    setting: "from_date",
    outcome: ["mapped", "served locally"],
    parameters: { from_date: "2026-01-01", sources: [{ type: "x" }, { type: "rss", links: ["https://a.example/f"] }] },
    check: (result) => {
      expect(tool(result, "x_search")).toEqual({ type: "x_search", from_date: "2026-01-01" })
      expect(result.plan.fromDate).toBe("2026-01-01")
      expect(result.warnings).toEqual([])
    }
  },
  {
    setting: "from_date",
    outcome: ["warned"],
    parameters: { from_date: "2026-01-01", sources: [{ type: "web" }] },
    check: (result) => {
      // web_search has no date filter: warned, and passed to the model as an instruction
      expect(tool(result, "web_search")).toEqual({ type: "web_search" })
      expect(result.warnings).toEqual([expect.objectContaining({
        _tag: "NoEquivalent",
        setting: "search_parameters.from_date"
      })])
      expect(result.plan.instructions).toContain("from 2026-01-01")
    }
  },
  {
    setting: "from_date",
    outcome: ["warned"],
    parameters: { from_date: "January 1st", sources: [{ type: "x" }] },
    check: (result) => {
      expect(tool(result, "x_search")).toEqual({ type: "x_search" })
      expect(result.warnings).toEqual([expect.objectContaining({
        _tag: "InvalidSetting",
        setting: "search_parameters.from_date"
      })])
    }
  },
  {
    setting: "to_date",
    outcome: ["mapped", "warned"],
    parameters: { to_date: "2026-03-31T12:00:00Z", sources: [{ type: "x" }] },
    check: (result) => {
      expect(tool(result, "x_search")).toEqual({ type: "x_search", to_date: "2026-03-31" })
      expect(result.warnings).toEqual([expect.objectContaining({ _tag: "Approximated", mappedTo: "x_search.to_date" })])
    }
  },
  {
    setting: "to_date",
    outcome: ["warned"],
    parameters: { from_date: "2026-05-01", to_date: "2026-04-01", sources: [{ type: "x" }] },
    check: (result) => {
      expect(tool(result, "x_search")).toEqual({ type: "x_search" })
      expect(result.plan.fromDate).toBeUndefined()
      expect(result.warnings).toEqual([
        expect.objectContaining({ _tag: "InvalidSetting", setting: "search_parameters.to_date" })
      ])
    }
  },
  {
    setting: "max_search_results",
    outcome: ["served locally"],
    parameters: { max_search_results: 4, sources: [{ type: "rss", links: ["https://a.example/f"] }] },
    check: (result) => {
      expect(result.plan.maxSearchResults).toBe(4)
      expect(result.warnings).toEqual([])
    }
  },
  {
    setting: "max_search_results",
    outcome: ["warned"],
    parameters: { max_search_results: 4, sources: [{ type: "web" }, { type: "x" }] },
    check: (result) =>
      expect(result.warnings).toEqual([expect.objectContaining({
        _tag: "NoEquivalent",
        setting: "search_parameters.max_search_results"
      })])
  },
  {
    setting: "return_citations",
    outcome: ["served locally"],
    parameters: { return_citations: false },
    check: (result) => {
      expect(result.plan.returnCitations).toBe(false)
      expect(result.warnings).toEqual([])
    }
  },
  {
    setting: "return_citations",
    outcome: ["mapped"],
    parameters: { return_citations: true },
    check: (result) => expect(result.plan.returnCitations).toBe(true)
  }
]

/** Every setting of the seed's search_parameters, from its JSON Schema. */
const seedSettings = (): ReadonlyArray<string> => {
  const schemaPath = fileURLToPath(new URL("../../core/seed/create_chat_completion.input.schema.json", import.meta.url))
  const schema = JSON.parse(readFileSync(schemaPath, "utf8"))
  const search = schema.properties.search_parameters
  const settings: Array<string> = []
  for (const [key, property] of Object.entries<any>(search.properties)) {
    if (key === "mode") { for (const value of property.enum) settings.push(`mode=${value}`) }
    else settings.push(key)
    if (key === "sources") {
      for (const variant of property.items.anyOf) {
        const type = variant.properties.type.const
        settings.push(`sources[${type}]`)
        for (const field of Object.keys(variant.properties)) {
          if (field !== "type") settings.push(`sources[${type}].${field}`)
        }
      }
    }
  }
  return settings
}

describe("SearchPlan", () => {
  describe("fromSearchParameters: every seed setting", () => {
    for (const row of table) {
      it(`${row.setting}: ${row.outcome.join(", ")} (${JSON.stringify(row.parameters)})`, () => {
        const result = SearchPlan.fromSearchParameters(row.parameters, row.options)
        row.check(result)
        if (row.outcome.includes("warned")) expect(result.warnings.length).toBeGreaterThan(0)
        for (const warning of result.warnings) {
          expect(warning.setting).toMatch(/^search_parameters(\.|$)/)
          expect(warning.message.length).toBeGreaterThan(10)
        }
      })
    }

    it("the table covers every setting of the seed's JSON Schema, and each outcome is tested", () => {
      const covered = new Set(table.map((row) => row.setting))
      const settings = seedSettings()
      expect(settings.length).toBe(20)
      expect(settings.filter((setting) => !covered.has(setting))).toEqual([])
      expect(new Set(table.flatMap((row) => row.outcome))).toEqual(new Set(["mapped", "served locally", "warned"]))
    })
  })

  it("a full plan: web, x, news without an adapter, rss; dates and limits where they apply", () => {
    const { plan, warnings } = SearchPlan.fromSearchParameters({
      mode: "on",
      sources: [
        { type: "web", country: "FR", excluded_websites: ["a.com"], safe_search: true },
        { type: "x", x_handles: ["xai"] },
        { type: "news", excluded_websites: ["b.com"] },
        { type: "rss", links: ["https://example.com/feed.xml"] }
      ],
      from_date: "2026-01-01",
      to_date: "2026-12-31",
      max_search_results: 5,
      return_citations: true
    })
    expect(plan.serverTools).toEqual([
      {
        type: "web_search",
        excluded_domains: ["a.com", "b.com"],
        user_location: { type: "approximate", country: "FR" }
      },
      { type: "x_search", allowed_x_handles: ["xai"], from_date: "2026-01-01", to_date: "2026-12-31" }
    ])
    expect(plan.localSearches.map((search) => search.toolName)).toEqual(["read_rss_feeds"])
    expect(plan.firstStepToolChoice).toBe("required")
    expect(plan.maxSearchResults).toBe(5)
    expect(warnings.map((warning) => warning._tag).sort()).toEqual(
      ["Approximated", "NewsFilteringUnavailable", "NoEquivalent", "NoEquivalent", "NoEquivalent"].sort()
    )
    expect(SearchPlan.formatWarnings(warnings).split("\n")).toHaveLength(warnings.length)
  })

  it.effect("make: sources with an adapter in the context are served locally", () =>
    Effect.gen(function*() {
      const news = SearchAdapter.make("my-news", () => Effect.succeed([]))
      const result = yield* SearchPlan.make({ sources: [{ type: "news" }, { type: "web" }] }).pipe(
        Effect.provide(SearchAdapter.layer("news", news))
      )
      expect(result.plan.localSearches.map((search) => search.source)).toEqual(["news"])
      expect(result.plan.serverTools).toEqual([{ type: "web_search" }])
      expect(result.warnings).toEqual([])
    }))
})
