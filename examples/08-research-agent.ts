/**
 * 08 · research agent: search, planned from the seed's `search_parameters`. xAI removed Live
 * Search (HTTP 410), so `SearchAgent` plans each source onto what works today and runs the agent
 * on the Responses API: the web and X through xAI's server-side `web_search` / `x_search` tools
 * (simulated over a canned corpus by the mock when XAI_API_KEY is unset), and RSS feeds through
 * a local adapter, here feeds served by a tiny server on 127.0.0.1 that this example starts. The
 * feeds are fetched through the guarded fetcher, which refuses loopback addresses unless told
 * otherwise: `fetch: { allow: ["127.0.0.1"] }` says so for this example only. Feed text reaches
 * the model wrapped as untrusted data.
 *
 * The run prints each source it cites (feed entries and web pages, with titles and dates), and
 * the plan's warnings: the settings that have no equivalent on today's API.
 *
 * Run: `npx -y pnpm@12.4.2 grokit run research-agent`.
 */
import { Example } from "@grokit/cli"
import type { SearchParameters } from "@grokit/core"
import { Agent } from "@grokit/runtime"
import { SearchAgent } from "@grokit/search"
import { Effect, Layer, Stream } from "effect"
import * as LocalFeeds from "./support/LocalFeeds.ts"

const DAY = 86_400_000

/** The seed's search settings: feeds first (mode "on"), the web without Wikipedia, one X account, the last 90 days. */
const searchParameters = (feeds: ReadonlyArray<string>): SearchParameters => ({
  mode: "on",
  sources: [
    { type: "rss", links: [...feeds] },
    { type: "web", excluded_websites: ["wikipedia.org"], safe_search: true },
    { type: "x", x_handles: ["energy_daily"] }
  ],
  from_date: new Date(Date.now() - 90 * DAY).toISOString().slice(0, 10),
  max_search_results: 5
})

const agent = Agent.make({
  name: "researcher",
  model: process.env.GROK_MODEL ?? "grok-4.3",
  instructions: "You are a research assistant. Read the feeds, search the web and X, and answer in a few " +
    "sentences, citing every source you use.",
  maxSteps: 6
})

export const example = Example.make({
  name: "research-agent",
  description: "a research agent reading local RSS feeds and searching the web and X, with citations",
  agent,
  input: "Read the energy feeds and search the web and X: what is new about solar energy records?",
  handlers: Layer.empty,
  stream: (input) =>
    Stream.unwrap(Effect.map(LocalFeeds.start, (feeds) =>
      SearchAgent.stream(agent, input, {
        search: searchParameters(feeds.urls),
        fetch: { allow: ["127.0.0.1"] }
      })))
})

if (import.meta.main) Example.main(example)
