/**
 * Usage summed over the steps of a run: tokens by kind and cost. xAI reports reasoning tokens
 * outside `completion_tokens`, and the cost in ticks (10^10 per US dollar).
 *
 * @since 0.1.0
 */
import { type ResponsesUsage, TICKS_PER_US_DOLLAR, type Usage } from "@grokit/core"
import { Schema } from "effect"

/**
 * Token counts and cost of a run (or one step).
 *
 * @since 0.1.0
 * @category schemas
 */
export const RunUsage = Schema.Struct({
  promptTokens: Schema.Int,
  completionTokens: Schema.Int,
  reasoningTokens: Schema.Int,
  cachedPromptTokens: Schema.Int,
  totalTokens: Schema.Int,
  costInUsdTicks: Schema.Int,
  /** Model calls whose usage was not reported (e.g. a stream cut before its usage chunk). */
  unreportedCalls: Schema.Int,
  /** Server-side tool calls (searches) xAI ran and billed; present when there were some. */
  serverSideToolCalls: Schema.optionalKey(Schema.Int)
})

/**
 * @since 0.1.0
 * @category models
 */
export type RunUsage = typeof RunUsage.Type

/**
 * No usage.
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: RunUsage = {
  promptTokens: 0,
  completionTokens: 0,
  reasoningTokens: 0,
  cachedPromptTokens: 0,
  totalTokens: 0,
  costInUsdTicks: 0,
  unreportedCalls: 0
}

/**
 * The usage of one model call, from xAI's report (or an unreported call when there is none).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromWire = (usage: Usage | null | undefined): RunUsage =>
  usage == null ? { ...empty, unreportedCalls: 1 } : {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    cachedPromptTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    totalTokens: usage.total_tokens,
    costInUsdTicks: usage.cost_in_usd_ticks ?? 0,
    unreportedCalls: 0
  }

/**
 * The sum of two usages.
 *
 * @since 0.1.0
 * @category combinators
 */
export const add = (self: RunUsage, that: RunUsage): RunUsage => {
  const sum: RunUsage = {
    promptTokens: self.promptTokens + that.promptTokens,
    completionTokens: self.completionTokens + that.completionTokens,
    reasoningTokens: self.reasoningTokens + that.reasoningTokens,
    cachedPromptTokens: self.cachedPromptTokens + that.cachedPromptTokens,
    totalTokens: self.totalTokens + that.totalTokens,
    costInUsdTicks: self.costInUsdTicks + that.costInUsdTicks,
    unreportedCalls: self.unreportedCalls + that.unreportedCalls
  }
  if (self.serverSideToolCalls === undefined && that.serverSideToolCalls === undefined) return sum
  return { ...sum, serverSideToolCalls: (self.serverSideToolCalls ?? 0) + (that.serverSideToolCalls ?? 0) }
}

/**
 * The usage of one Responses API call, from xAI's report (or an unreported call when there is
 * none). There `output_tokens` includes the reasoning tokens; here `completionTokens` does not,
 * as on the chat path.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromResponsesUsage = (usage: ResponsesUsage | null | undefined): RunUsage => {
  if (usage == null) return { ...empty, unreportedCalls: 1 }
  const reasoning = usage.output_tokens_details?.reasoning_tokens ?? 0
  const base: RunUsage = {
    promptTokens: usage.input_tokens,
    completionTokens: Math.max(0, usage.output_tokens - reasoning),
    reasoningTokens: reasoning,
    cachedPromptTokens: usage.input_tokens_details?.cached_tokens ?? 0,
    totalTokens: usage.total_tokens ?? usage.input_tokens + usage.output_tokens,
    costInUsdTicks: usage.cost_in_usd_ticks ?? 0,
    unreportedCalls: 0
  }
  const serverCalls = usage.num_server_side_tools_used ?? 0
  return serverCalls === 0 ? base : { ...base, serverSideToolCalls: serverCalls }
}

/**
 * The cost in US dollars.
 *
 * @since 0.1.0
 * @category accessors
 */
export const costInUsDollars = (usage: RunUsage): number => usage.costInUsdTicks / TICKS_PER_US_DOLLAR
