/**
 * @grokit/mcp: xAI's Grok over the Model Context Protocol. `GrokMcpServer` serves the
 * `create_chat_completion`, `list_models` and `get_model` tools over stdio and Streamable HTTP
 * (checked by `HttpGuard`, framed by `StdioFraming`), `search_parameters` planned and run by
 * `SearchCompletion` on `@grokit/search`; `McpTools` gives agents the tools of any MCP server.
 *
 * @since 0.1.0
 */
export * as GrokMcpServer from "./GrokMcpServer.ts"
export * as HttpGuard from "./HttpGuard.ts"
export * as McpTools from "./McpTools.ts"
export * as SearchCompletion from "./SearchCompletion.ts"
export * as StdioFraming from "./StdioFraming.ts"
