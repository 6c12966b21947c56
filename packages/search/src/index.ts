/**
 * @grokit/search: search sources for grokit agents. Local adapters for feeds and news behind one
 * guarded fetcher (SSRF-safe, size and time capped), a hardened feed parser, untrusted-content
 * wrapping for everything fetched, and a Tool that exposes an adapter to an agent.
 *
 * @since 0.1.0
 */
export * as AddressPolicy from "./AddressPolicy.ts"
export * as FeedParser from "./FeedParser.ts"
export * as GuardedFetch from "./GuardedFetch.ts"
export * as NewsAdapter from "./NewsAdapter.ts"
export * as RssAdapter from "./RssAdapter.ts"
export * as SearchAdapter from "./SearchAdapter.ts"
export * as SearchAgent from "./SearchAgent.ts"
export * as SearchPlan from "./SearchPlan.ts"
export * as SearchTool from "./SearchTool.ts"
export * as UntrustedContent from "./UntrustedContent.ts"
