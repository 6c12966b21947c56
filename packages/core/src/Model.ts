/**
 * `GET /v1/models`: the models a key can use.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { optionalNullable } from "./WireSchema.ts"

/**
 * One model.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Model = Schema.Struct({
  id: Schema.String,
  object: optionalNullable(Schema.String),
  created: optionalNullable(Schema.Finite),
  owned_by: optionalNullable(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type Model = typeof Model.Type

/**
 * The list of models: `{ "object": "list", "data": [...] }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ModelList = Schema.Struct({
  object: optionalNullable(Schema.String),
  data: Schema.Array(Model)
})

/**
 * @since 0.1.0
 * @category models
 */
export type ModelList = typeof ModelList.Type
