/**
 * A calculator tool for the examples: a small recursive-descent parser for + - * / ^ and
 * parentheses (no `eval`). A bad expression is a failure the model reads and can fix.
 */
import { Effect, Schema } from "effect"
import { Tool } from "effect/ai"

/** The calculator tool. Failures are returned to the model (`failureMode: "return"`). */
export const Calculate = Tool.make("calculate", {
  description: "Calculate an arithmetic expression with numbers, + - * / ^ and parentheses",
  parameters: Schema.Struct({
    expression: Schema.String.annotate({ description: "The expression, e.g. (21 * 2) / 3" })
  }),
  success: Schema.Struct({ expression: Schema.String, value: Schema.Finite }),
  failure: Schema.Struct({ error: Schema.String }),
  failureMode: "return"
})

/** Evaluates an expression, or returns why it cannot. */
export const evaluate = (expression: string): { readonly value: number } | { readonly error: string } => {
  const tokens = expression.match(/\d+(?:\.\d+)?|[-+*/^()]|\S/g) ?? []
  let position = 0
  const peek = () => tokens[position]
  const fail = (message: string): never => {
    throw new Error(message)
  }
  const primary = (): number => {
    const token = tokens[position++]
    if (token === undefined) return fail("the expression ends too early")
    if (token === "(") {
      const value = sum()
      if (tokens[position++] !== ")") fail("a parenthesis is not closed")
      return value
    }
    if (token === "-") return -primary()
    const value = Number(token)
    return Number.isFinite(value) ? value : fail(`unexpected ${JSON.stringify(token)}`)
  }
  const power = (): number => {
    const base = primary()
    if (peek() === "^") {
      position++
      return base ** power()
    }
    return base
  }
  const product = (): number => {
    let value = power()
    while (peek() === "*" || peek() === "/") {
      const operator = tokens[position++]
      const right = power()
      if (operator === "/" && right === 0) fail("division by zero")
      value = operator === "*" ? value * right : value / right
    }
    return value
  }
  const sum = (): number => {
    let value = product()
    while (peek() === "+" || peek() === "-") {
      const operator = tokens[position++]
      const right = product()
      value = operator === "+" ? value + right : value - right
    }
    return value
  }
  try {
    const value = sum()
    if (position < tokens.length) fail(`unexpected ${JSON.stringify(tokens[position])}`)
    return Number.isFinite(value) ? { value } : { error: "the result is not a finite number" }
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) }
  }
}

/** The handler. */
export const calculate = ({ expression }: { readonly expression: string }) =>
  Effect.suspend(() => {
    const result = evaluate(expression)
    return "value" in result
      ? Effect.succeed({ expression, value: result.value })
      : Effect.fail({ error: `${result.error} in ${JSON.stringify(expression)}` })
  })
