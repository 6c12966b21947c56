/**
 * The mock's model for the Responses API (`POST /v1/responses`): a deterministic policy that
 * answers any valid request without a script, with simulated server-side `web_search` and
 * `x_search` over the canned corpus of `MockSearchCorpus`. The same request always gets the same
 * answer.
 *
 * 1. **Function calls.** When the request offers function tools and `tool_choice` is not
 *    `"none"`: `{type: "function", name}` calls that function; `"required"` calls the best
 *    matching function (or the first); otherwise, when the LAST input item is a user message that
 *    names functions (as in `MockPolicy`: a function's name, or a 4+ letter word of its
 *    description), every matching function is called (only the first with
 *    `parallel_tool_calls: false`). Arguments come from the function's JSON Schema and the user's
 *    text, as in `MockPolicy.valueFromSchema`.
 * 2. **Searches.** Otherwise, when `web_search` or `x_search` is offered and `tool_choice` is not
 *    `"none"`, each offered search tool runs once over the corpus, with the last user message as
 *    the query and the tool's filters (`allowed_domains` / `excluded_domains`; `allowed_x_handles`
 *    / `excluded_x_handles`, `from_date`, `to_date`), at most 3 results each. The output has one
 *    `web_search_call` item (`name: "web_search"`, `arguments: {"query", "num_results"}`) or
 *    `x_search_call` item (`name: "x_semantic_search"`, `arguments: {"query", "limit",
 *    "from_date"?, "to_date"?}`) per search, `call_id: ""`, `status: "completed"`, as on xAI;
 *    then the message: one line per result, `[n] <title> (<date>): <first sentence>`, each line
 *    covered by a `url_citation` annotation with `url`, `title`, `start_index`, `end_index`.
 *    After function outputs (rule 3), the searches run too and their lines follow the tool
 *    results, so one answer cites both.
 * 3. **After function outputs** (the last input item is a `function_call_output`):
 *    `Based on the tool results: <name>: <output>; ...` over the trailing outputs. An output that
 *    holds an untrusted-data block (grokit's local search tools) is quoted by the titles of its
 *    numbered entries: `<name>: 2 entries: <title>; <title>`.
 * 4. **Structured output.** With `text.format` `json_schema`, JSON text built from the schema;
 *    with `json_object`, `{"answer": "..."}`.
 * 5. **Otherwise** it echoes: `You said: <text of the last user message>`.
 *
 * @since 0.1.0
 */
import type { ChatTool, ResponsesFunctionTool, ResponsesRequest, WebSearchTool, XSearchTool } from "@grokit/core"
import * as MockPolicy from "./MockPolicy.ts"
import * as MockScript from "./MockScript.ts"
import * as MockSearchCorpus from "./MockSearchCorpus.ts"

/**
 * One simulated server-side search and what it found.
 *
 * @since 0.1.0
 * @category models
 */
export interface SearchRun {
  readonly type: "web_search_call" | "x_search_call"
  /** xAI's internal tool name: `web_search` or `x_semantic_search`. */
  readonly name: "web_search" | "x_semantic_search"
  /** The call's arguments, as the output item carries them (JSON text). */
  readonly arguments: string
  readonly results: ReadonlyArray<MockSearchCorpus.Document>
}

/**
 * An answer that searched: the searches, the text before their results (tool results, if any),
 * and the query.
 *
 * @since 0.1.0
 * @category models
 */
export interface Search {
  readonly _tag: "Search"
  readonly query: string
  readonly searches: ReadonlyArray<SearchRun>
  readonly preamble: string | undefined
}

/**
 * What the policy answers: a text, function calls, or searches.
 *
 * @since 0.1.0
 * @category models
 */
export type Answer = MockScript.Text | MockScript.ToolCalls | Search

/**
 * A citation in the answer's text.
 *
 * @since 0.1.0
 * @category models
 */
export interface Citation {
  readonly url: string
  readonly title: string
  readonly start_index: number
  readonly end_index: number
}

/**
 * The text of an input message content: the string, or its text parts joined.
 *
 * @since 0.1.0
 * @category accessors
 */
export const inputContentText = (content: string | ReadonlyArray<{ readonly type: string }>): string => {
  if (typeof content === "string") return content
  const texts: Array<string> = []
  for (const part of content) {
    if ((part.type === "input_text" || part.type === "output_text") && "text" in part) {
      texts.push(String((part as { readonly text: unknown }).text))
    }
  }
  return texts.join(" ")
}

type InputItems = Exclude<ResponsesRequest["input"], string>

const items = (request: ResponsesRequest): InputItems =>
  typeof request.input === "string" ? [{ role: "user", content: request.input }] : request.input

/**
 * The text of the last user message of a request, if any.
 *
 * @since 0.1.0
 * @category accessors
 */
export const lastUserText = (request: ResponsesRequest): string | undefined => {
  const input = items(request)
  for (let index = input.length - 1; index >= 0; index--) {
    const item = input[index]!
    if ("role" in item && item.role === "user") return inputContentText(item.content)
  }
  return undefined
}

const UNTRUSTED_BLOCK = /<<<UNTRUSTED_DATA_BEGIN ([A-Za-z0-9]+)>>>\n([\s\S]*?)\n<<<UNTRUSTED_DATA_END \1>>>/

/** A tool output as the answer quotes it: an untrusted-data block by the titles of its numbered entries. */
const summarizeOutput = (output: string): string => {
  const block = UNTRUSTED_BLOCK.exec(output)
  if (block === null) return output
  const titles = [...block[2]!.matchAll(/^\[\d+\] (.*)$/gm)].map((match) => match[1]!)
  return titles.length === 0 ? "no entries" : `${titles.length} entries: ${titles.join("; ")}`
}

const toolResultsText = (input: InputItems): string | undefined => {
  let first = input.length
  while (first > 0 && input[first - 1]!.type === "function_call_output") first--
  if (first === input.length) return undefined
  const names = new Map<string, string>()
  for (let index = 0; index < first; index++) {
    const item = input[index]!
    if (item.type === "function_call") names.set(item.call_id, item.name)
  }
  const parts: Array<string> = []
  for (let index = first; index < input.length; index++) {
    const item = input[index]!
    if (item.type === "function_call_output") {
      parts.push(`${names.get(item.call_id) ?? item.call_id}: ${summarizeOutput(item.output)}`)
    }
  }
  return `Based on the tool results: ${parts.join("; ")}`
}

const asChatTool = (tool: ResponsesFunctionTool): ChatTool => ({
  type: "function",
  function: {
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    ...(tool.parameters === undefined ? {} : { parameters: tool.parameters })
  }
})

const callFunctions = (tools: ReadonlyArray<ChatTool>, userText: string): MockScript.ToolCalls =>
  MockScript.toolCalls(tools.map((tool) => ({
    name: tool.function.name,
    arguments: MockPolicy.valueFromSchema(tool.function.parameters ?? { type: "object" }, userText) as {
      readonly [key: string]: unknown
    }
  })))

const RESULTS_PER_SEARCH = 3

const runSearches = (request: ResponsesRequest, query: string): ReadonlyArray<SearchRun> => {
  const runs: Array<SearchRun> = []
  for (const tool of request.tools ?? []) {
    if (tool.type === "web_search") {
      const web = tool as WebSearchTool
      runs.push({
        type: "web_search_call",
        name: "web_search",
        arguments: JSON.stringify({ query, num_results: RESULTS_PER_SEARCH }),
        results: MockSearchCorpus.search({
          kind: "web",
          text: query,
          limit: RESULTS_PER_SEARCH,
          allowedDomains: web.allowed_domains,
          excludedDomains: web.excluded_domains
        })
      })
    } else if (tool.type === "x_search") {
      const x = tool as XSearchTool
      runs.push({
        type: "x_search_call",
        name: "x_semantic_search",
        arguments: JSON.stringify({
          query,
          limit: RESULTS_PER_SEARCH,
          ...(x.from_date === undefined ? {} : { from_date: x.from_date }),
          ...(x.to_date === undefined ? {} : { to_date: x.to_date })
        }),
        results: MockSearchCorpus.search({
          kind: "x",
          text: query,
          limit: RESULTS_PER_SEARCH,
          allowedHandles: x.allowed_x_handles,
          excludedHandles: x.excluded_x_handles,
          fromDate: x.from_date,
          toDate: x.to_date
        })
      })
    }
  }
  return runs
}

const text = (content: string): MockScript.Text => MockScript.text(content)

/**
 * The policy's answer to a valid request, as the module documentation says.
 *
 * @example
 * ```ts
 * import { MockResponses } from "@grokit/mock"
 *
 * MockResponses.answer({ model: "grok-4.3", input: "solar energy record", tools: [{ type: "web_search" }] })
 * // => { _tag: "Search", query: "solar energy record", searches: [{ type: "web_search_call", ... }], ... }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const answer = (request: ResponsesRequest): Answer => {
  const input = items(request)
  const last = input[input.length - 1]
  const userText = lastUserText(request)
  const choice = request.tool_choice
  const tools = request.tools ?? []
  const functions = tools.filter((tool): tool is ResponsesFunctionTool => tool.type === "function").map(asChatTool)
  const searches = tools.some((tool) => tool.type === "web_search" || tool.type === "x_search")
  const lastIsUser = last !== undefined && "role" in last && last.role === "user"
  if (functions.length > 0 && choice !== "none") {
    if (typeof choice === "object") {
      const named = functions.find((tool) => tool.function.name === choice.name)
      if (named !== undefined) return callFunctions([named], userText ?? "")
    } else if (choice === "required") {
      const best = MockPolicy.bestTool(functions, lastIsUser ? userText ?? "" : "")
      if (best !== undefined) return callFunctions([best], userText ?? "")
    } else if (lastIsUser) {
      const matching = MockPolicy.matchingTools(functions, userText ?? "")
      if (matching.length > 0) {
        return callFunctions(request.parallel_tool_calls === false ? matching.slice(0, 1) : matching, userText ?? "")
      }
    }
  }
  const toolResults = toolResultsText(input)
  if (searches && choice !== "none") {
    const query = userText ?? ""
    return { _tag: "Search", query, searches: runSearches(request, query), preamble: toolResults }
  }
  const basis = toolResults ??
    (userText === undefined ? "Hello! This is the grokit mock, not Grok." : `You said: ${userText}`)
  const format = request.text?.format
  if (format !== undefined && format.type === "json_schema") {
    return text(JSON.stringify(MockPolicy.valueFromSchema(format.schema, userText ?? basis, { includeOptional: true })))
  }
  if (format !== undefined && format.type === "json_object") return text(JSON.stringify({ answer: basis }))
  return text(basis)
}

const firstSentence = (text: string): string => {
  const match = /^.*?[.!?](?=\s|$)/.exec(text)
  return match === null ? text : match[0]
}

/**
 * The message text of a search answer and its citations: the preamble, then one line per
 * result, `[n] <title> (<date>): <first sentence>`, each covered by one citation (character
 * offsets, end exclusive). No result: a line saying so, without citations.
 *
 * @since 0.1.0
 * @category formatting
 */
export const citedText = (search: Search): { readonly text: string; readonly citations: ReadonlyArray<Citation> } => {
  let out = search.preamble === undefined ? "" : `${search.preamble}\n\n`
  const citations: Array<Citation> = []
  const seen = new Set<string>()
  const results = search.searches.flatMap((run) => run.results)
  if (results.length === 0) {
    const where = search.searches.map((run) => run.name === "web_search" ? "the web" : "X").join(" and ")
    return { text: `${out}I searched ${where} for "${search.query}" and found nothing relevant.`, citations }
  }
  out += "Here is what I found:"
  let number = 0
  for (const document of results) {
    if (seen.has(document.url)) continue
    seen.add(document.url)
    number++
    out += "\n"
    const line = `[${number}] ${document.title} (${document.date}): ${firstSentence(document.text)}`
    citations.push({
      url: document.url,
      title: document.title,
      start_index: out.length,
      end_index: out.length + line.length
    })
    out += line
  }
  return { text: out, citations }
}
