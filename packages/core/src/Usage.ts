/**
 * Token usage and cost of a completion. xAI counts reasoning tokens outside `completion_tokens`
 * (`total_tokens = prompt + completion + reasoning`) and reports the cost in ticks
 * (10^10 ticks per US dollar).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { NonNegativeInteger, optionalNullable } from "./WireSchema.ts"

/**
 * How many ticks of `cost_in_usd_ticks` make one US dollar.
 *
 * @since 0.1.0
 * @category constants
 */
export const TICKS_PER_US_DOLLAR = 10_000_000_000

/**
 * Usage as xAI reports it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Usage = Schema.Struct({
  prompt_tokens: NonNegativeInteger,
  completion_tokens: NonNegativeInteger,
  total_tokens: NonNegativeInteger,
  prompt_tokens_details: optionalNullable(Schema.Struct({
    text_tokens: optionalNullable(NonNegativeInteger),
    audio_tokens: optionalNullable(NonNegativeInteger),
    image_tokens: optionalNullable(NonNegativeInteger),
    cached_tokens: optionalNullable(NonNegativeInteger)
  })),
  completion_tokens_details: optionalNullable(Schema.Struct({
    reasoning_tokens: optionalNullable(NonNegativeInteger),
    audio_tokens: optionalNullable(NonNegativeInteger),
    accepted_prediction_tokens: optionalNullable(NonNegativeInteger),
    rejected_prediction_tokens: optionalNullable(NonNegativeInteger)
  })),
  num_sources_used: optionalNullable(NonNegativeInteger),
  cost_in_usd_ticks: optionalNullable(NonNegativeInteger)
})

/**
 * @since 0.1.0
 * @category models
 */
export type Usage = typeof Usage.Type

/**
 * The cost of a usage report in US dollars, or `undefined` when xAI did not report one.
 *
 * @example
 * ```ts
 * costInUsDollars({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, cost_in_usd_ticks: 1_330_500 })
 * // => 0.00013305
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const costInUsDollars = (usage: Usage): number | undefined =>
  usage.cost_in_usd_ticks == null ? undefined : usage.cost_in_usd_ticks / TICKS_PER_US_DOLLAR
