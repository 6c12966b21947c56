/**
 * The models the mock server knows: the list that `GET /v1/models` returns, and the ids that
 * `POST /v1/chat/completions` accepts (any other id answers 404, as xAI does).
 *
 * Which model is a reasoning model comes from `isReasoningModel` in `@grokit/core`; only
 * `grok-3-mini` shows its reasoning as `reasoning_content`, as on the real API.
 *
 * @since 0.1.0
 */
import { isReasoningModel } from "@grokit/core"

/**
 * One model as `GET /v1/models` lists it.
 *
 * @since 0.1.0
 * @category models
 */
export interface MockModel {
  readonly id: string
  readonly object: "model"
  readonly created: number
  readonly owned_by: string
}

/**
 * The default catalogue: the current xAI line-up, plus `grok-3-mini` (the one model that returns
 * `reasoning_content` on Chat Completions).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultModelIds: ReadonlyArray<string> = [
  "grok-4.3",
  "grok-4.5",
  "grok-4.6",
  "grok-4.7",
  "grok-4.20-0309-reasoning",
  "grok-4.20-0309-non-reasoning",
  "grok-3-mini"
]

const FIRST_CREATED = 1_767_225_600 // 2026-01-01T00:00:00Z

/**
 * The catalogue entries for a list of ids, with deterministic `created` stamps (one day apart,
 * in list order).
 *
 * @example
 * ```ts
 * import { MockModels } from "@grokit/mock"
 *
 * MockModels.make(["grok-4.3"])
 * // => [{ id: "grok-4.3", object: "model", created: 1767225600, owned_by: "xai" }]
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (ids: ReadonlyArray<string> = defaultModelIds): ReadonlyArray<MockModel> =>
  ids.map((id, index) => ({ id, object: "model", created: FIRST_CREATED + index * 86_400, owned_by: "xai" }))

/**
 * Whether the mock shows reasoning text (`reasoning_content`) for a model: only the grok-3-mini
 * family does on xAI's Chat Completions.
 *
 * @since 0.1.0
 * @category predicates
 */
export const showsReasoning = (model: string): boolean => model.toLowerCase().startsWith("grok-3-mini")

/**
 * Whether the mock counts hidden reasoning tokens for a model (every reasoning model).
 *
 * @since 0.1.0
 * @category predicates
 */
export const reasons = (model: string): boolean => isReasoningModel(model)
