/**
 * Decode failures that humans can read: one line per problem, naming the path that broke and the
 * rule it broke, e.g. `temperature: expected a value between 0 and 2, got 3`.
 *
 * @since 0.1.0
 */
import { SchemaIssue } from "effect"
import type { Schema } from "effect"

/**
 * One problem found in a value: where (`path`), and what rule it broke (`message`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ValidationIssue {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

const standardFormatter = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * Renders a path as `messages[2].content[0].type`; the empty path is `(root)`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string => {
  let out = ""
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`
    else if (typeof segment === "string" && /^[A-Za-z_$][\w$]*$/.test(segment)) {
      out += out === "" ? segment : `.${segment}`
    } else out += `[${JSON.stringify(String(segment))}]`
  }
  return out === "" ? "(root)" : out
}

const sentenceCase = (message: string): string => {
  if (message === "Missing key") return "is required"
  if (message === "Expected no excess property" || message.startsWith("Unexpected key with value")) {
    return "is not a known field here (unknown keys are refused)"
  }
  return message.length > 0 ? message[0]!.toLowerCase() + message.slice(1) : message
}

/**
 * The issues inside a Schema error, one per broken rule, with paths.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSchemaError = (error: Schema.SchemaError): ReadonlyArray<ValidationIssue> => fromIssue(error.issue)

/**
 * The issues inside a Schema issue tree.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromIssue = (issue: SchemaIssue.Issue): ReadonlyArray<ValidationIssue> =>
  standardFormatter(issue).issues.map((entry) => ({
    path: (entry.path ?? []).map((segment) =>
      typeof segment === "object" && segment !== null && "key" in segment ? segment.key : segment
    ) as ReadonlyArray<PropertyKey>,
    message: sentenceCase(entry.message)
  }))

/**
 * One line for one issue: `path: message`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatIssue = (issue: ValidationIssue): string => `${formatPath(issue.path)}: ${issue.message}`

/**
 * All issues, one per line.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatIssues = (issues: ReadonlyArray<ValidationIssue>): string => issues.map(formatIssue).join("\n")
