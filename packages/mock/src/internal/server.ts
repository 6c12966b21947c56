/**
 * The mock server on `node:http`: routing, validation, scripts, faults and delivery.
 *
 * @internal
 */
import { ChatCompletionRequest, refusals, strictParseOptions, ValidationIssue } from "@grokit/core"
import { Result, SchemaParser } from "effect"
import * as Http from "node:http"
import type * as Net from "node:net"
import type * as MockFault from "../MockFault.ts"
import { parse as parseFaults } from "../MockFault.ts"
import * as MockModels from "../MockModels.ts"
import * as MockPolicy from "../MockPolicy.ts"
import type * as MockScript from "../MockScript.ts"
import type { ClosableMockServer, MockServerOptions, RecordedRequest } from "../MockServer.ts"
import * as Responses from "./responses.ts"
import * as ResponsesApi from "./responsesApi.ts"

const decodeRequest = SchemaParser.decodeUnknownResult(ChatCompletionRequest, strictParseOptions)

const FAULT_HEADER = "x-mock-fault"
const SCRIPT_HEADER = "x-mock-script"
const DEFAULT_CREATED = 1_767_225_600 // 2026-01-01T00:00:00Z
const DEFAULT_AFTER = 2

const JSON_TYPE = "application/json"
const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" } as const

type StatusFault = MockFault.RateLimit | MockFault.Quota | MockFault.ServerError | MockFault.Error200
type StreamFault = MockFault.ErrorInStream | MockFault.StallMidStream | MockFault.DropMidStream | MockFault.Truncate

/** The faults of one request, combined. */
interface FaultSet {
  delayMs: number
  stallForever: boolean
  tokenDelayMs: number | undefined
  status: StatusFault | undefined
  stream: StreamFault | undefined
}

const emptyFaults = (): FaultSet => ({
  delayMs: 0,
  stallForever: false,
  tokenDelayMs: undefined,
  status: undefined,
  stream: undefined
})

const addFaults = (set: FaultSet, faults: ReadonlyArray<MockFault.Fault>): void => {
  for (const fault of faults) {
    switch (fault._tag) {
      case "StallBeforeHeaders":
        if (fault.ms === undefined) set.stallForever = true
        else set.delayMs += fault.ms
        break
      case "SlowTokens":
        set.tokenDelayMs = (set.tokenDelayMs ?? 0) + fault.ms
        break
      case "RateLimit":
      case "Quota":
      case "ServerError":
      case "Error200":
        set.status ??= fault
        break
      case "ErrorInStream":
      case "StallMidStream":
      case "DropMidStream":
      case "Truncate":
        set.stream ??= fault
        break
    }
  }
}

interface JsonAnswer {
  readonly status: number
  readonly body: string
  readonly headers?: { readonly [name: string]: string | number } | undefined
}

const json = (status: number, body: string, headers?: { readonly [name: string]: string | number }): JsonAnswer => ({
  status,
  body,
  headers
})

const statusFaultAnswer = (fault: StatusFault): JsonAnswer => {
  switch (fault._tag) {
    case "RateLimit": {
      const headers: { [name: string]: string } = {}
      if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds)
      if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs)
      return json(429, Responses.rateLimitBody, headers)
    }
    case "Quota":
      return json(429, Responses.quotaBody)
    case "ServerError":
      return json(fault.status, Responses.serverErrorBody(fault.status))
    case "Error200":
      return json(200, Responses.statusBody(Responses.UNAVAILABLE, fault.message))
  }
}

const httpErrorAnswer = (entry: MockScript.HttpError): JsonAnswer => ({
  status: entry.status,
  body: typeof entry.body === "string" ? entry.body : JSON.stringify(entry.body),
  headers: entry.headers
})

const headerText = (value: string | ReadonlyArray<string> | undefined): string | undefined =>
  value === undefined ? undefined : typeof value === "string" ? value : value.join(",")

const bearerToken = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined
  const match = /^\s*bearer\s+(\S.*?)\s*$/i.exec(header)
  return match === null ? undefined : match[1]
}

const urlHost = (host: string): string => {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1"
  return host.includes(":") ? `[${host}]` : host
}

const stringifyArguments = (value: MockScript.ScriptedToolCall["arguments"]): string =>
  value === undefined ? "{}" : typeof value === "string" ? value : JSON.stringify(value)

/** Starts a server; resolves once it listens. */
export const listen = (options: MockServerOptions = {}): Promise<ClosableMockServer> => {
  const host = options.host ?? "127.0.0.1"
  const record = options.record ?? true
  const latencyMs = options.latencyMs ?? 0
  const defaultTokenDelayMs = options.tokenDelayMs ?? 0
  const created = options.created ?? DEFAULT_CREATED
  const models = MockModels.make(options.models)
  const knownModels = new Set(models.map((model) => model.id))
  const modelListBody = JSON.stringify({ object: "list", data: models })
  const modelBodies = new Map(models.map((model) => [model.id, JSON.stringify(model)]))

  // ---- state ------------------------------------------------------------------------------
  const queues = new Map<string, Array<MockScript.ScriptEntry>>()
  let nextFaults: Array<MockFault.Fault> = []
  let everyFaults: ReadonlyArray<MockFault.Fault> = []
  let requests: Array<RecordedRequest> = []
  let requestCount = 0
  let completionCounter = 0
  let toolCallCounter = 0
  let closed = false
  const sockets = new Set<Net.Socket>()
  const timers = new Set<ReturnType<typeof setTimeout>>()

  const queue = (name: string): Array<MockScript.ScriptEntry> => {
    let found = queues.get(name)
    if (found === undefined) {
      found = []
      queues.set(name, found)
    }
    return found
  }

  const setFaults = (plan?: MockFault.FaultPlan): void => {
    nextFaults = [...(plan?.next ?? [])]
    everyFaults = [...(plan?.every ?? [])]
  }

  const reset = (): void => {
    queues.clear()
    if (options.script !== undefined) queue("").push(...options.script)
    setFaults(options.faults)
    requests = []
    requestCount = 0
    completionCounter = 0
    toolCallCounter = 0
  }
  reset()

  const later = (ms: number, run: () => void): void => {
    if (ms <= 0) return run()
    const timer = setTimeout(() => {
      timers.delete(timer)
      if (!closed) run()
    }, ms)
    timers.add(timer)
  }

  // ---- delivery -----------------------------------------------------------------------------

  const sendJson = (response: Http.ServerResponse, answer: JsonAnswer): void => {
    if (response.destroyed) return
    const headers: { [name: string]: string | number } = {
      "content-type": JSON_TYPE,
      "content-length": Buffer.byteLength(answer.body)
    }
    if (answer.headers !== undefined) Object.assign(headers, answer.headers)
    response.writeHead(answer.status, headers)
    response.end(answer.body)
  }

  /** A 200 JSON body under a stream fault: half of it, then silence, a drop or an end. */
  const sendBrokenJson = (response: Http.ServerResponse, body: string, fault: StreamFault): void => {
    if (response.destroyed) return
    if (fault._tag === "ErrorInStream") {
      return sendJson(
        response,
        json(200, Responses.statusBody(Responses.UNAVAILABLE, "Timed out waiting for first token"))
      )
    }
    response.writeHead(200, { "content-type": JSON_TYPE })
    const half = body.slice(0, Math.floor(body.length / 2))
    if (fault._tag === "StallMidStream") response.write(half)
    else if (fault._tag === "DropMidStream") response.write(half, () => response.destroy())
    else response.end(half)
  }

  const sendStream = (
    response: Http.ServerResponse,
    stream: Responses.StreamEvents,
    fault: StreamFault | undefined,
    tokenDelayMs: number
  ): void => {
    if (response.destroyed) return
    const { events, finishIndex } = stream
    response.writeHead(200, SSE_HEADERS)
    if (fault === undefined && tokenDelayMs <= 0) {
      response.end(events.join(""))
      return
    }
    let count = events.length
    if (fault !== undefined) {
      const after = fault.after ?? (fault._tag === "Truncate" ? finishIndex : DEFAULT_AFTER)
      count = Math.max(0, Math.min(Math.floor(after), finishIndex))
    }
    const finish = (): void => {
      if (response.destroyed) return
      if (fault === undefined || fault._tag === "Truncate") response.end()
      else if (fault._tag === "ErrorInStream") response.end(Responses.streamErrorEvent)
      else if (fault._tag === "DropMidStream") {
        // let what was written reach the client before the socket goes
        response.write("", () => response.destroy())
      }
      // StallMidStream: nothing more, the socket stays open until the client or close() ends it
    }
    response.flushHeaders()
    if (tokenDelayMs <= 0) {
      if (count > 0) response.write(events.slice(0, count).join(""))
      return finish()
    }
    let index = 0
    const step = (): void => {
      if (response.destroyed) return
      if (index >= count) return finish()
      response.write(events[index]!)
      index++
      if (index >= count) return finish()
      later(tokenDelayMs, step)
    }
    step()
  }

  // ---- chat completions ---------------------------------------------------------------------

  const toReply = (
    entry: MockScript.Text | MockScript.ToolCalls,
    request: ChatCompletionRequest
  ): Responses.AssistantReply => {
    const choices = request.n ?? 1
    if (entry._tag === "Text") {
      // a text longer than max_completion_tokens (or max_tokens) words is cut: finish_reason "length"
      const limit = request.max_completion_tokens ?? request.max_tokens
      let content = entry.content
      let finishReason = entry.finishReason
      if (limit !== undefined) {
        const parts = Responses.pieces(content)
        if (parts.length > limit) {
          content = parts.slice(0, limit).join("")
          finishReason = "length"
        }
      }
      return {
        content,
        reasoningContent: entry.reasoningContent,
        toolCalls: Array.from({ length: choices }, () => []),
        finishReason
      }
    }
    const toolCalls: Array<ReadonlyArray<Responses.WireToolCall>> = []
    for (let choice = 0; choice < choices; choice++) {
      toolCalls.push(entry.calls.map((call) => ({
        id: call.id ?? Responses.toolCallId(++toolCallCounter),
        name: call.name,
        arguments: stringifyArguments(call.arguments)
      })))
    }
    return {
      content: entry.content ?? "",
      reasoningContent: entry.reasoningContent,
      toolCalls,
      finishReason: entry.calls.length > 0 ? "tool_calls" : "stop"
    }
  }

  type Outcome =
    | { readonly _tag: "Json"; readonly answer: JsonAnswer }
    | {
      readonly _tag: "Completion"
      readonly request: ChatCompletionRequest
      readonly reply: Responses.AssistantReply
    }

  const invalid = (status: number, message: string): Outcome => ({
    _tag: "Json",
    answer: json(status, Responses.statusBody(Responses.INVALID_ARGUMENT, message))
  })

  /** Validates and answers; faults found in the script are added to `faults`. */
  const chatOutcome = (
    body: unknown,
    parseError: string | undefined,
    scriptName: string,
    faults: FaultSet
  ): Outcome => {
    if (parseError !== undefined) return invalid(422, `Failed to parse the request body as JSON: ${parseError}`)
    if (typeof body === "object" && body !== null && "search_parameters" in body) {
      return { _tag: "Json", answer: json(410, Responses.liveSearchBody) }
    }
    const decoded = decodeRequest(body)
    if (Result.isFailure(decoded)) {
      return invalid(422, ValidationIssue.formatIssues(ValidationIssue.fromIssue(decoded.failure)))
    }
    const request = decoded.success
    if (!knownModels.has(request.model)) {
      return { _tag: "Json", answer: json(404, Responses.modelNotFoundBody(request.model)) }
    }
    const refused = refusals(request)
    if (refused.length > 0) {
      return invalid(400, refused.map((refusal) => `${refusal.field}: ${refusal.rule}`).join("\n"))
    }
    const choice = request.tool_choice
    const tools = request.tools ?? []
    if (typeof choice === "object" && !tools.some((tool) => tool.function.name === choice.function.name)) {
      return invalid(400, `tool_choice: the function '${choice.function.name}' is not among the request's tools`)
    }
    if (choice === "required" && tools.length === 0) {
      return invalid(400, "tool_choice: 'required' needs at least one tool in tools")
    }

    // a Fault entry adds its faults, and the answer comes from the next source
    const take = (
      entry: MockScript.ScriptEntry | undefined
    ): Exclude<MockScript.ScriptEntry, MockScript.FaultEntry> | undefined => {
      if (entry?._tag !== "Fault") return entry
      addFaults(faults, entry.faults)
      return undefined
    }
    const entry = take(queues.get(scriptName)?.shift()) ?? take(options.policy?.(request)) ?? MockPolicy.answer(request)
    if (entry._tag === "HttpError") return { _tag: "Json", answer: httpErrorAnswer(entry) }
    return { _tag: "Completion", request, reply: toReply(entry, request) }
  }

  const deliverChat = (response: Http.ServerResponse, outcome: Outcome, faults: FaultSet): void => {
    if (faults.status !== undefined) return sendJson(response, statusFaultAnswer(faults.status))
    if (outcome._tag === "Json") return sendJson(response, outcome.answer)
    const { request, reply } = outcome
    const frame: Responses.CompletionFrame = {
      id: Responses.completionId(++completionCounter),
      created,
      model: request.model
    }
    const tokenDelayMs = faults.tokenDelayMs ?? defaultTokenDelayMs
    if (request.stream === true) {
      return sendStream(response, Responses.streamEvents(frame, request, reply), faults.stream, tokenDelayMs)
    }
    const body = Responses.completionJson(frame, request, reply)
    const send = (): void => {
      if (faults.stream !== undefined) sendBrokenJson(response, body, faults.stream)
      else sendJson(response, json(200, body))
    }
    if (tokenDelayMs > 0) {
      later(tokenDelayMs * Math.max(1, Responses.pieces(reply.content).length), send)
    } else send()
  }

  // ---- responses (POST /v1/responses) ---------------------------------------------------------

  const responsesOutcome = (
    body: unknown,
    parseError: string | undefined,
    scriptName: string,
    faults: FaultSet
  ): ResponsesApi.ResponsesOutcome =>
    ResponsesApi.outcome(body, parseError, knownModels, () => {
      // as for chat: a Fault entry adds its faults, and the answer comes from the policy
      const entry = queues.get(scriptName)?.shift()
      if (entry?._tag !== "Fault") return entry
      addFaults(faults, entry.faults)
      return undefined
    }, () => Responses.toolCallId(++toolCallCounter))

  const deliverResponses = (
    response: Http.ServerResponse,
    outcome: ResponsesApi.ResponsesOutcome,
    faults: FaultSet
  ): void => {
    if (faults.status !== undefined) return sendJson(response, statusFaultAnswer(faults.status))
    if (outcome._tag === "Json") return sendJson(response, json(outcome.status, outcome.body))
    if (outcome._tag === "HttpError") return sendJson(response, httpErrorAnswer(outcome.entry))
    const { request, reply } = outcome
    const frame = { id: Responses.completionId(++completionCounter), created }
    const tokenDelayMs = faults.tokenDelayMs ?? defaultTokenDelayMs
    if (request.stream === true) {
      return sendStream(response, ResponsesApi.responseEvents(frame, request, reply), faults.stream, tokenDelayMs)
    }
    const body = ResponsesApi.responseText(frame, request, reply)
    const send = (): void => {
      if (faults.stream !== undefined) sendBrokenJson(response, body, faults.stream)
      else sendJson(response, json(200, body))
    }
    if (tokenDelayMs > 0) later(tokenDelayMs * Math.max(1, Responses.pieces(reply.text ?? "").length), send)
    else send()
  }

  const requestFaults = (request: Http.IncomingMessage, chat: boolean): FaultSet | string => {
    const set = emptyFaults()
    const header = headerText(request.headers[FAULT_HEADER])
    if (header !== undefined) {
      const parsed = parseFaults(header)
      if (Result.isFailure(parsed)) return `${FAULT_HEADER}: ${parsed.failure}`
      addFaults(set, parsed.success)
    }
    if (chat) {
      const next = nextFaults.shift()
      if (next !== undefined) addFaults(set, [next])
      addFaults(set, everyFaults)
    }
    return set
  }

  // ---- routing ----------------------------------------------------------------------------

  const handle = (request: Http.IncomingMessage, response: Http.ServerResponse, text: string): void => {
    requestCount++
    const rawUrl = request.url ?? "/"
    const query = rawUrl.indexOf("?")
    const path = query === -1 ? rawUrl : rawUrl.slice(0, query)
    const method = request.method ?? "GET"
    const isChat = method === "POST" && path === "/v1/chat/completions"
    const isResponses = method === "POST" && path === "/v1/responses"

    let body: unknown = undefined
    let parseError: string | undefined
    if (isChat || isResponses || text !== "") {
      try {
        body = JSON.parse(text)
      } catch (error) {
        parseError = error instanceof Error ? error.message : String(error)
      }
    }
    if (record) {
      const headers = { ...request.headers }
      delete headers.authorization
      requests.push({ method, path, headers, body, text })
    }

    const isModels = method === "GET" && (path === "/v1/models" || path.startsWith("/v1/models/"))
    if (!isChat && !isResponses && !isModels) return sendJson(response, json(404, Responses.noHandlerBody))

    const token = bearerToken(headerText(request.headers.authorization))
    if (token === undefined) return sendJson(response, json(401, Responses.unauthenticatedBody))
    if (options.apiKey !== undefined && token !== options.apiKey) {
      return sendJson(response, json(400, Responses.incorrectKeyBody(token)))
    }

    const faults = requestFaults(request, isChat || isResponses)
    if (typeof faults === "string") {
      return sendJson(response, json(400, Responses.statusBody(Responses.INVALID_ARGUMENT, faults)))
    }
    if (faults.stallForever) return

    if (isModels) {
      let answer: JsonAnswer
      if (path === "/v1/models") answer = json(200, modelListBody)
      else {
        let id = path.slice("/v1/models/".length)
        try {
          id = decodeURIComponent(id)
        } catch {
          // keep the raw id
        }
        const found = modelBodies.get(id)
        answer = found === undefined ? json(404, Responses.modelNotFoundBody(id)) : json(200, found)
      }
      return later(faults.delayMs, () => {
        if (faults.status !== undefined) sendJson(response, statusFaultAnswer(faults.status))
        else if (faults.stream !== undefined && answer.status === 200) {
          sendBrokenJson(response, answer.body, faults.stream)
        } else sendJson(response, answer)
      })
    }

    const scriptName = headerText(request.headers[SCRIPT_HEADER]) ?? ""
    if (isResponses) {
      const answer = faults.status === undefined ? responsesOutcome(body, parseError, scriptName, faults) : undefined
      if (faults.stallForever) return
      return later(latencyMs + faults.delayMs, () => {
        if (answer === undefined) return sendJson(response, statusFaultAnswer(faults.status!))
        deliverResponses(response, answer, faults)
      })
    }
    const outcome: Outcome | undefined = faults.status === undefined
      ? chatOutcome(body, parseError, scriptName, faults)
      : undefined
    if (faults.stallForever) return
    const delay = latencyMs + faults.delayMs
    later(delay, () => {
      if (faults.status !== undefined || outcome === undefined) {
        return sendJson(response, statusFaultAnswer(faults.status!))
      }
      deliverChat(response, outcome, faults)
    })
  }

  const server = Http.createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      if (closed) return
      const text = chunks.length === 0
        ? ""
        : chunks.length === 1
        ? chunks[0]!.toString("utf8")
        : Buffer.concat(chunks).toString("utf8")
      handle(request, response, text)
    })
  })
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.once("close", () => sockets.delete(socket))
  })

  return new Promise<ClosableMockServer>((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once("error", onError)
    server.listen(options.port ?? 0, host, () => {
      server.off("error", onError)
      const address = server.address() as Net.AddressInfo
      const origin = `http://${urlHost(host)}:${address.port}`
      let closing: Promise<void> | undefined
      const close = (): Promise<void> => {
        closing ??= new Promise<void>((resolveClose) => {
          closed = true
          for (const timer of timers) clearTimeout(timer)
          timers.clear()
          server.close(() => resolveClose())
          for (const socket of sockets) socket.destroy()
          sockets.clear()
          server.closeAllConnections()
        })
        return closing
      }
      resolve({
        url: `${origin}/v1`,
        origin,
        host,
        port: address.port,
        get requests() {
          return requests
        },
        get requestCount() {
          return requestCount
        },
        enqueue: (...entries) => {
          queue("").push(...entries)
        },
        enqueueFor: (name, ...entries) => {
          queue(name).push(...entries)
        },
        setFaults,
        reset,
        close
      })
    })
  })
}
