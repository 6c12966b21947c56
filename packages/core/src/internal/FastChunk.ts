/**
 * A hand-written decoder for the common shape of a streamed chunk, for values fresh from
 * `JSON.parse`: top-level strings and numbers, choices whose delta carries only string (or null)
 * fields, no usage, no tool calls, no citations. When every field present has the right type it
 * returns what `Schema.decodeUnknownExit(ChatCompletionChunk, tolerantParseOptions)` returns: new
 * objects and arrays with the known keys only, in the Schema's order, unknown keys dropped,
 * `logprobs` passed through as is. Anything else (a wrong type, a field it does not handle) gives
 * `undefined`, and the caller decodes with the Schema, so the value or the issues reported are the
 * Schema's.
 *
 * Values from `JSON.parse` never hold `undefined`, so `undefined` is read as "key absent".
 *
 * @internal
 */
import type { ChatCompletionChunk } from "../ChatCompletionChunk.ts"

interface MutableDelta {
  role?: string | null
  content?: string | null
  reasoning_content?: string | null
  refusal?: string | null
}

interface MutableChoice {
  index: number
  delta: MutableDelta
  finish_reason?: string | null
  logprobs?: unknown
}

interface MutableChunk {
  id: string
  object: string
  created: number
  model: string
  choices: Array<MutableChoice>
  usage?: null
  system_fingerprint?: string | null
  citations?: null
  service_tier?: string | null
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

// optionalNullable(Schema.String): absent, null or a string
const isOptionalString = (value: unknown): boolean => value === undefined || value === null || typeof value === "string"

const decodeDelta = (delta: Record<string, unknown>): MutableDelta | undefined => {
  const role = delta.role
  const content = delta.content
  const reasoning = delta.reasoning_content
  const toolCalls = delta.tool_calls
  const refusal = delta.refusal
  if (
    !isOptionalString(role) || !isOptionalString(content) || !isOptionalString(reasoning) ||
    (toolCalls !== undefined && toolCalls !== null) || !isOptionalString(refusal)
  ) {
    return undefined
  }
  // The usual deltas as literals (a fixed shape), the rest key by key in the Schema's order.
  if (toolCalls === undefined && refusal === undefined && reasoning === undefined) {
    if (role === undefined) return content === undefined ? {} : { content: content as string | null }
    if (content !== undefined) return { role: role as string | null, content: content as string | null }
  }
  const out: MutableDelta = {}
  if (role !== undefined) out.role = role as string | null
  if (content !== undefined) out.content = content as string | null
  if (reasoning !== undefined) out.reasoning_content = reasoning as string | null
  if (toolCalls !== undefined) (out as { tool_calls?: null }).tool_calls = null
  if (refusal !== undefined) out.refusal = refusal as string | null
  return out
}

const decodeChoice = (choice: unknown): MutableChoice | undefined => {
  if (!isObject(choice)) return undefined
  const index = choice.index
  const delta = choice.delta
  const finishReason = choice.finish_reason
  // NonNegativeInteger: a safe integer >= 0
  if (typeof index !== "number" || !Number.isSafeInteger(index) || !(index >= 0)) return undefined
  if (!isObject(delta) || !isOptionalString(finishReason)) return undefined
  const decodedDelta = decodeDelta(delta)
  if (decodedDelta === undefined) return undefined
  const hasLogprobs = "logprobs" in choice
  if (finishReason === undefined && !hasLogprobs) return { index, delta: decodedDelta }
  const out: MutableChoice = { index, delta: decodedDelta }
  if (finishReason !== undefined) out.finish_reason = finishReason as string | null
  if (hasLogprobs) out.logprobs = choice.logprobs
  return out
}

/** @internal */
export const decodeChunkFast = (json: unknown): ChatCompletionChunk | undefined => {
  if (!isObject(json)) return undefined
  const id = json.id
  const object = json.object
  const created = json.created
  const model = json.model
  const choices = json.choices
  if (
    typeof id !== "string" || typeof object !== "string" || typeof created !== "number" ||
    !Number.isFinite(created) || typeof model !== "string" || !Array.isArray(choices)
  ) {
    return undefined
  }
  const usage = json.usage
  const fingerprint = json.system_fingerprint
  const citations = json.citations
  const tier = json.service_tier
  if (
    (usage !== undefined && usage !== null) || !isOptionalString(fingerprint) ||
    (citations !== undefined && citations !== null) || !isOptionalString(tier)
  ) {
    return undefined
  }
  const decodedChoices: Array<MutableChoice> = []
  for (let index = 0; index < choices.length; index++) {
    const choice = decodeChoice(choices[index])
    if (choice === undefined) return undefined
    decodedChoices.push(choice)
  }
  if (usage === undefined && citations === undefined && tier === undefined) {
    return fingerprint === undefined
      ? { id, object, created, model, choices: decodedChoices }
      : { id, object, created, model, choices: decodedChoices, system_fingerprint: fingerprint as string | null }
  }
  const out: MutableChunk = { id, object, created, model, choices: decodedChoices }
  if (usage !== undefined) out.usage = null
  if (fingerprint !== undefined) out.system_fingerprint = fingerprint as string | null
  if (citations !== undefined) out.citations = null
  if (tier !== undefined) out.service_tier = tier as string | null
  return out
}
