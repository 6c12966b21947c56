/**
 * The mock's `POST /v1/responses`: validation as xAI answers, the reply (from a script entry or
 * `MockResponses`), usage and cost, and the wire text of the response and of its event stream.
 *
 * @internal
 */
import { responsesRefusals, ResponsesRequest, strictParseOptions, ValidationIssue } from "@grokit/core"
import { Result, SchemaParser } from "effect"
import * as MockModels from "../MockModels.ts"
import * as MockResponses from "../MockResponses.ts"
import type * as MockScript from "../MockScript.ts"
import * as Responses from "./responses.ts"

const decodeRequest = SchemaParser.decodeUnknownResult(ResponsesRequest, strictParseOptions)

/** Ticks billed per server-side tool call: $0.005 (10^10 ticks per US dollar). */
export const PRICE_SERVER_TOOL_CALL = 50_000_000

export interface FunctionCallReply {
  readonly callId: string
  readonly name: string
  readonly arguments: string
}

/** What a response says, before it is written out. */
export interface ResponsesReply {
  readonly functionCalls: ReadonlyArray<FunctionCallReply>
  readonly searches: ReadonlyArray<MockResponses.SearchRun>
  /** The message text; `undefined` when the response only calls functions. */
  readonly text: string | undefined
  readonly citations: ReadonlyArray<MockResponses.Citation>
  readonly incomplete: boolean
}

export type ResponsesOutcome =
  | { readonly _tag: "Json"; readonly status: number; readonly body: string }
  | { readonly _tag: "HttpError"; readonly entry: MockScript.HttpError }
  | { readonly _tag: "Response"; readonly request: ResponsesRequest; readonly reply: ResponsesReply }

const invalid = (status: number, message: string): ResponsesOutcome => ({
  _tag: "Json",
  status,
  body: Responses.statusBody(Responses.INVALID_ARGUMENT, message)
})

const stringifyArguments = (value: MockScript.ScriptedToolCall["arguments"]): string =>
  value === undefined ? "{}" : typeof value === "string" ? value : JSON.stringify(value)

const toReply = (
  answer: MockScript.Text | MockScript.ToolCalls | MockResponses.Search,
  request: ResponsesRequest,
  nextCallId: () => string
): ResponsesReply => {
  if (answer._tag === "ToolCalls") {
    return {
      functionCalls: answer.calls.map((call) => ({
        callId: call.id ?? nextCallId(),
        name: call.name,
        arguments: stringifyArguments(call.arguments)
      })),
      searches: [],
      text: answer.content === undefined || answer.content === "" ? undefined : answer.content,
      citations: [],
      incomplete: false
    }
  }
  let text: string
  let citations: ReadonlyArray<MockResponses.Citation> = []
  let searches: ReadonlyArray<MockResponses.SearchRun> = []
  if (answer._tag === "Search") {
    const cited = MockResponses.citedText(answer)
    text = cited.text
    citations = cited.citations
    searches = answer.searches
  } else text = answer.content
  // a text longer than max_output_tokens words is cut: status "incomplete"
  const limit = request.max_output_tokens
  let incomplete = false
  if (limit !== undefined) {
    const parts = Responses.pieces(text)
    if (parts.length > limit) {
      text = parts.slice(0, limit).join("")
      citations = citations.filter((citation) => citation.end_index <= text.length)
      incomplete = true
    }
  }
  return { functionCalls: [], searches, text, citations, incomplete }
}

/** Validates a request and answers it (script entry first, then the policy). */
export const outcome = (
  body: unknown,
  parseError: string | undefined,
  knownModels: ReadonlySet<string>,
  takeEntry: () => Exclude<MockScript.ScriptEntry, MockScript.FaultEntry> | undefined,
  nextCallId: () => string
): ResponsesOutcome => {
  if (parseError !== undefined) return invalid(422, `Failed to parse the request body as JSON: ${parseError}`)
  const decoded = decodeRequest(body)
  if (Result.isFailure(decoded)) {
    return invalid(422, ValidationIssue.formatIssues(ValidationIssue.fromIssue(decoded.failure)))
  }
  const request = decoded.success
  if (!knownModels.has(request.model)) {
    return { _tag: "Json", status: 404, body: Responses.modelNotFoundBody(request.model) }
  }
  const refused = responsesRefusals(request)
  if (refused.length > 0) {
    return invalid(400, refused.map((refusal) => `${refusal.field}: ${refusal.rule}`).join("\n"))
  }
  const entry = takeEntry() ?? MockResponses.answer(request)
  if (entry._tag === "HttpError") return { _tag: "HttpError", entry }
  return { _tag: "Response", request, reply: toReply(entry, request, nextCallId) }
}

// ---------------------------------------------------------------------------------------------
// Usage
// ---------------------------------------------------------------------------------------------

const itemTokens = (item: Exclude<ResponsesRequest["input"], string>[number]): number => {
  switch (item.type) {
    case "function_call":
      return 1 + Responses.countTokens(item.arguments)
    case "function_call_output":
      return 4 + Responses.countTokens(item.output)
    case "reasoning":
      return item.summary.reduce((sum, part) => sum + Responses.countTokens(part.text), 0)
    default:
      return 4 + Responses.countTokens(MockResponses.inputContentText(item.content))
  }
}

const usageJson = (request: ResponsesRequest, reply: ResponsesReply): string => {
  const input = typeof request.input === "string" ? [{ role: "user" as const, content: request.input }] : request.input
  let prompt = request.instructions === undefined ? 0 : 4 + Responses.countTokens(request.instructions)
  let last = 0
  for (const item of input) {
    last = itemTokens(item)
    prompt += last
  }
  for (const tool of request.tools ?? []) {
    if (tool.type === "function") {
      const properties = tool.parameters?.properties
      prompt += 10 + Responses.countTokens(tool.description ?? "") +
        4 * (properties === undefined ? 0 : Object.keys(properties).length)
    } else prompt += 10
  }
  const cached = input.length > 1 ? prompt - last : 0
  let completion = Responses.countTokens(reply.text ?? "")
  for (const call of reply.functionCalls) completion += 1 + Responses.countTokens(call.arguments)
  const reasoning = MockModels.reasons(request.model) && request.reasoning?.effort !== "none" ? 10 + completion : 0
  const output = completion + reasoning
  const serverCalls = reply.searches.length
  const sources = reply.searches.reduce((sum, run) => sum + run.results.length, 0)
  const cost = Responses.PRICE_INPUT * (prompt - cached) + Responses.PRICE_CACHED * cached +
    Responses.PRICE_OUTPUT * output + PRICE_SERVER_TOOL_CALL * serverCalls
  return `{"input_tokens":${prompt},"input_tokens_details":{"cached_tokens":${cached}},"output_tokens":${output},` +
    `"output_tokens_details":{"reasoning_tokens":${reasoning}},"total_tokens":${prompt + output},` +
    `"num_sources_used":${sources},"num_server_side_tools_used":${serverCalls},"cost_in_usd_ticks":${cost}}`
}

// ---------------------------------------------------------------------------------------------
// Wire text
// ---------------------------------------------------------------------------------------------

export interface ResponseFrame {
  readonly id: string
  readonly created: number
}

const json = JSON.stringify

const searchItem = (frame: ResponseFrame, run: MockResponses.SearchRun, index: number): string =>
  `{"arguments":${
    json(run.arguments)
  },"call_id":"","name":"${run.name}","type":"${run.type}","id":"fc_${frame.id}_${index}","status":"completed"}`

const functionCallItem = (frame: ResponseFrame, call: FunctionCallReply, index: number, status: string): string =>
  `{"arguments":${json(status === "completed" ? call.arguments : "")},"call_id":${json(call.callId)},"name":${
    json(call.name)
  },"type":"function_call","id":"fc_${frame.id}_${index}","status":"${status}"}`

const annotationJson = (citation: MockResponses.Citation): string =>
  `{"type":"url_citation","url":${json(citation.url)},"title":${
    json(citation.title)
  },"start_index":${citation.start_index},"end_index":${citation.end_index}}`

const textPart = (text: string, citations: ReadonlyArray<MockResponses.Citation>): string =>
  `{"type":"output_text","text":${json(text)},"logprobs":[],"annotations":[${citations.map(annotationJson).join(",")}]}`

const messageItem = (frame: ResponseFrame, status: string, content: string): string =>
  `{"content":[${content}],"id":"msg_${frame.id}","role":"assistant","type":"message","status":"${status}"}`

/** The output items, in order: searches, function calls, the message. */
const outputItems = (frame: ResponseFrame, reply: ResponsesReply): Array<string> => {
  const out: Array<string> = []
  reply.searches.forEach((run, index) => out.push(searchItem(frame, run, index)))
  reply.functionCalls.forEach((call, index) =>
    out.push(functionCallItem(frame, call, reply.searches.length + index, "completed"))
  )
  if (reply.text !== undefined) {
    out.push(messageItem(frame, "completed", textPart(reply.text, reply.citations)))
  }
  return out
}

const responseJson = (
  frame: ResponseFrame,
  request: ResponsesRequest,
  reply: ResponsesReply | undefined,
  status: string
): string => {
  const tools = json(request.tools ?? [])
  const output = reply === undefined ? "" : outputItems(frame, reply).join(",")
  const usage = reply === undefined ? "null" : usageJson(request, reply)
  const incomplete = reply?.incomplete === true ? `{"reason":"max_output_tokens"}` : "null"
  return `{"created_at":${frame.created},"id":"${frame.id}","max_output_tokens":${
    request.max_output_tokens ?? "null"
  },"model":${json(request.model)},"object":"response","output":[${output}],"parallel_tool_calls":${
    request.parallel_tool_calls ?? true
  },"previous_response_id":null,"reasoning":{"effort":${json(request.reasoning?.effort ?? null)},"summary":null},` +
    `"temperature":${request.temperature ?? "null"},"text":{"format":${
      json(request.text?.format ?? { type: "text" })
    }},` +
    `"tool_choice":${json(request.tool_choice ?? "auto")},"tools":${tools},"top_p":${request.top_p ?? "null"},` +
    `"usage":${usage},"user":null,"incomplete_details":${incomplete},"status":"${status}","store":${
      request.store ?? true
    },"metadata":{}}`
}

/** The response's JSON text. */
export const responseText = (frame: ResponseFrame, request: ResponsesRequest, reply: ResponsesReply): string =>
  responseJson(frame, request, reply, reply.incomplete ? "incomplete" : "completed")

/**
 * The SSE events of a streamed response: created, in progress, each output item (searches
 * whole; function calls with argument deltas; the message with text deltas and its annotations),
 * then the terminal event. `finishIndex` is the terminal event's index.
 */
export const responseEvents = (
  frame: ResponseFrame,
  request: ResponsesRequest,
  reply: ResponsesReply
): Responses.StreamEvents => {
  const events: Array<string> = []
  let sequence = 0
  const push = (type: string, rest: string): void => {
    events.push(`data: {"sequence_number":${sequence++},"type":"${type}",${rest}}\n\n`)
  }
  const skeleton = responseJson(frame, request, undefined, "in_progress")
  push("response.created", `"response":${skeleton}`)
  push("response.in_progress", `"response":${skeleton}`)
  let outputIndex = 0
  reply.searches.forEach((run, index) => {
    const item = searchItem(frame, run, index)
    push("response.output_item.added", `"item":${item},"output_index":${outputIndex}`)
    push("response.output_item.done", `"item":${item},"output_index":${outputIndex}`)
    outputIndex++
  })
  reply.functionCalls.forEach((call, index) => {
    const itemIndex = reply.searches.length + index
    const itemId = `fc_${frame.id}_${itemIndex}`
    push(
      "response.output_item.added",
      `"item":${functionCallItem(frame, call, itemIndex, "in_progress")},"output_index":${outputIndex}`
    )
    for (const piece of Responses.pieces(call.arguments)) {
      push(
        "response.function_call_arguments.delta",
        `"delta":${json(piece)},"item_id":"${itemId}","output_index":${outputIndex}`
      )
    }
    push(
      "response.function_call_arguments.done",
      `"arguments":${json(call.arguments)},"item_id":"${itemId}","output_index":${outputIndex}`
    )
    push(
      "response.output_item.done",
      `"item":${functionCallItem(frame, call, itemIndex, "completed")},"output_index":${outputIndex}`
    )
    outputIndex++
  })
  let deltaCount = 0
  if (reply.text !== undefined) {
    const itemId = `msg_${frame.id}`
    const position = `"item_id":"${itemId}","output_index":${outputIndex}`
    push("response.output_item.added", `"item":${messageItem(frame, "in_progress", "")},"output_index":${outputIndex}`)
    push("response.content_part.added", `"content_index":0,${position},"part":${textPart("", [])}`)
    for (const piece of Responses.pieces(reply.text)) {
      push("response.output_text.delta", `"content_index":0,"delta":${json(piece)},${position},"logprobs":[]`)
      deltaCount++
    }
    reply.citations.forEach((citation, index) => {
      push(
        "response.output_text.annotation.added",
        `"annotation":${annotationJson(citation)},"annotation_index":${index},"content_index":0,${position}`
      )
    })
    push("response.output_text.done", `"content_index":0,${position},"text":${json(reply.text)},"logprobs":[]`)
    push("response.content_part.done", `"content_index":0,${position},"part":${textPart(reply.text, reply.citations)}`)
    push(
      "response.output_item.done",
      `"item":${messageItem(frame, "completed", textPart(reply.text, reply.citations))},"output_index":${outputIndex}`
    )
  }
  const finishIndex = events.length
  push(
    reply.incomplete ? "response.incomplete" : "response.completed",
    `"response":${responseText(frame, request, reply)}`
  )
  return { events, finishIndex, deltaCount }
}
