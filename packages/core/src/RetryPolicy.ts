/**
 * When and how long to wait before trying a failed request again: the retry decision (the
 * reason's `isRetryable`, overridden by an `x-should-retry` header), the server's hint
 * (`retry-after-ms`, then `Retry-After` in seconds or as an HTTP date, honoured between 0 and
 * 60 s), and otherwise exponential backoff from 0.5 s, capped at 8 s, with up to 25% jitter
 * taken off (the openai-node policy).
 *
 * @since 0.1.0
 */

/**
 * The longest server hint that is honoured; a longer one falls back to the default backoff.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_RETRY_AFTER_MILLIS = 60_000

/**
 * The first backoff delay, before jitter.
 *
 * @since 0.1.0
 * @category constants
 */
export const INITIAL_BACKOFF_MILLIS = 500

/**
 * The largest backoff delay, before jitter.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_BACKOFF_MILLIS = 8_000

/**
 * Reads a header case-insensitively from a plain record.
 *
 * @since 0.1.0
 * @category accessors
 */
export const header = (headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined =>
  headers[name] ?? headers[name.toLowerCase()]

/**
 * The server's retry hint in milliseconds, or `undefined` when there is none, it does not parse,
 * or it is outside [0, 60 s].
 *
 * @example
 * ```ts
 * retryAfterMillis({ "retry-after": "5" }, Date.now()) // => 5000
 * retryAfterMillis({ "retry-after-ms": "10" }, Date.now()) // => 10
 * retryAfterMillis({ "retry-after": "120" }, Date.now()) // => undefined
 * ```
 *
 * @since 0.1.0
 * @category policy
 */
export const retryAfterMillis = (
  headers: Readonly<Record<string, string | undefined>>,
  nowMillis: number
): number | undefined => {
  let millis: number | undefined
  const milliseconds = header(headers, "retry-after-ms")
  if (milliseconds !== undefined && milliseconds.trim() !== "") {
    const parsed = Number(milliseconds)
    if (Number.isFinite(parsed)) millis = parsed
  }
  if (millis === undefined) {
    const value = header(headers, "retry-after")
    if (value !== undefined && value.trim() !== "") {
      const seconds = Number(value)
      if (Number.isFinite(seconds)) millis = seconds * 1000
      else {
        const date = Date.parse(value)
        if (Number.isFinite(date)) millis = date - nowMillis
      }
    }
  }
  return millis !== undefined && millis >= 0 && millis <= MAX_RETRY_AFTER_MILLIS ? millis : undefined
}

/**
 * The default delay before retry number `retryIndex` (0 for the first retry), given a random
 * number in [0, 1): `min(0.5 s * 2^retryIndex, 8 s) * (1 - random * 0.25)`.
 *
 * @since 0.1.0
 * @category policy
 */
export const backoffMillis = (retryIndex: number, random: number): number =>
  Math.min(INITIAL_BACKOFF_MILLIS * 2 ** retryIndex, MAX_BACKOFF_MILLIS) * (1 - random * 0.25)

/**
 * Whether to retry: an `x-should-retry: true` or `false` header decides when present; otherwise
 * the reason does.
 *
 * @since 0.1.0
 * @category policy
 */
export const shouldRetry = (
  reasonIsRetryable: boolean,
  headers: Readonly<Record<string, string | undefined>> | undefined
): boolean => {
  const override = headers === undefined ? undefined : header(headers, "x-should-retry")
  if (override === "true") return true
  if (override === "false") return false
  return reasonIsRetryable
}
