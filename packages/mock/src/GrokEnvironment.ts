/**
 * Where a program's `GrokClient` points, chosen from the environment, so that every example, the
 * demo and the CLI run offline with no setup and against xAI with one variable:
 *
 * - `XAI_API_KEY` set: xAI at `XAI_BASE_URL` (default `https://api.x.ai/v1`);
 * - `XAI_API_KEY` unset, `XAI_BASE_URL` set to another server (e.g. `grokit mock` in another
 *   terminal): that server, with a placeholder key;
 * - neither: a mock Grok server started in-process on 127.0.0.1, for the life of the layer.
 *
 * `XAI_API_KEY` unset with `XAI_BASE_URL` at xAI is a configuration error that says what to set.
 * The key is read as a `Redacted` and never printed.
 *
 * @since 0.1.0
 */
import { NodeHttpClient } from "@effect/platform-node"
import { DEFAULT_BASE_URL, GrokClient, type GrokClientOptions, GrokResponses } from "@grokit/core"
import { Config, Context, Data, Effect, Layer, Option, Redacted } from "effect"
import * as MockServer from "./MockServer.ts"

/**
 * Which Grok a program talks to, and a one-line notice saying so.
 *
 * @since 0.1.0
 * @category models
 */
export interface GrokEnvironmentInfo {
  readonly mode: "xai" | "base-url" | "mock"
  readonly baseUrl: string
  /** One line to show the user first, e.g. "No XAI_API_KEY: using a MOCK Grok server ...". */
  readonly notice: string
}

/**
 * The chosen environment, as a service.
 *
 * @since 0.1.0
 * @category services
 */
export class GrokEnvironment extends Context.Service<GrokEnvironment, GrokEnvironmentInfo>()(
  "@grokit/mock/GrokEnvironment"
) {}

/**
 * `XAI_BASE_URL` points at xAI but `XAI_API_KEY` is not set.
 *
 * @since 0.1.0
 * @category errors
 */
export class MissingApiKey extends Data.TaggedError("MissingApiKey")<{ readonly message: string }> {}

/**
 * Options of the layer.
 *
 * @since 0.1.0
 * @category models
 */
export interface GrokEnvironmentOptions {
  /** Options of the in-process mock, when one is started. */
  readonly mock?: MockServer.MockServerOptions | undefined
  /** Client options other than the key and the base URL. */
  readonly client?: Omit<GrokClientOptions, "apiKey" | "baseUrl"> | undefined
}

const isXai = (url: string): boolean => {
  try {
    return new URL(url).hostname === "api.x.ai"
  } catch {
    return false
  }
}

/** `GrokClient` and `GrokResponses` (the Responses API, for search) on the same key and URL. */
const clients = (options: GrokClientOptions): Layer.Layer<GrokClient | GrokResponses> =>
  Layer.merge(GrokClient.layer(options), GrokResponses.layer(options)).pipe(Layer.provide(NodeHttpClient.layerUndici))

/**
 * Provides `GrokClient` and `GrokResponses` (over undici) and `GrokEnvironment`, chosen as the
 * module says.
 *
 * @example
 * ```ts
 * import { GrokEnvironment } from "@grokit/mock"
 *
 * program.pipe(Effect.provide(GrokEnvironment.layer()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: GrokEnvironmentOptions
): Layer.Layer<GrokClient | GrokResponses | GrokEnvironment, Config.ConfigError | MissingApiKey> =>
  Layer.unwrap(Effect.gen(function*() {
    const apiKey = yield* Config.option(Config.Redacted("XAI_API_KEY"))
    const configuredUrl = yield* Config.option(Config.String("XAI_BASE_URL"))
    const client = options?.client ?? {}
    if (Option.isSome(apiKey) && Redacted.value(apiKey.value).trim() !== "") {
      const baseUrl = Option.getOrElse(configuredUrl, () => DEFAULT_BASE_URL)
      const info: GrokEnvironmentInfo = {
        mode: "xai",
        baseUrl,
        notice: `Using Grok at ${baseUrl} (XAI_API_KEY is set).`
      }
      return Layer.merge(
        clients({ ...client, apiKey: apiKey.value, baseUrl }),
        Layer.succeed(GrokEnvironment, info)
      )
    }
    if (Option.isSome(configuredUrl)) {
      if (isXai(configuredUrl.value)) {
        return yield* Effect.fail(
          new MissingApiKey({
            message: `XAI_API_KEY is not set, and XAI_BASE_URL points at xAI (${configuredUrl.value}): ` +
              "set XAI_API_KEY to your xAI key, or unset XAI_BASE_URL to run offline against the mock"
          })
        )
      }
      const info: GrokEnvironmentInfo = {
        mode: "base-url",
        baseUrl: configuredUrl.value,
        notice: `No XAI_API_KEY: using the Grok-compatible server at ${configuredUrl.value}.`
      }
      return Layer.merge(
        clients({ ...client, apiKey: Redacted.make("no-key"), baseUrl: configuredUrl.value }),
        Layer.succeed(GrokEnvironment, info)
      )
    }
    return Layer.unwrap(Effect.gen(function*() {
      const server = yield* MockServer.start({ record: false, ...options?.mock })
      const info: GrokEnvironmentInfo = {
        mode: "mock",
        baseUrl: server.url,
        notice: `No XAI_API_KEY: running offline against a MOCK Grok server at ${server.url} ` +
          "(set XAI_API_KEY to use xAI's Grok)."
      }
      return Layer.merge(
        clients({ ...client, apiKey: Redacted.make("mock-key"), baseUrl: server.url }),
        Layer.succeed(GrokEnvironment, info)
      )
    }))
  }))
