/**
 * GENERATED FILE: DO NOT EDIT. Run `pnpm codegen` to regenerate.
 * Source: packages/core/seed/create_chat_completion.input.schema.json (the seed's input schema),
 * compiled by json-schema-to-typescript.
 *
 * @since 0.1.0
 */
export interface SeedCreateChatCompletionInput {
  /**
   * Penalty for new tokens based on frequency in text (-2 to 2)
   */
  frequency_penalty?: number;
  /**
   * Map of token IDs to bias scores (-100 to 100) that influence generation
   */
  logit_bias?: {
    [k: string]: number;
  };
  /**
   * Maximum number of tokens to generate
   */
  max_tokens?: number;
  /**
   * Messages to generate chat completions for
   */
  messages: {
    content:
      | string
      | (
          | {
              text: string;
              type: "text";
            }
          | {
              image_url: {
                detail?: "low" | "high" | "auto";
                url: string;
              };
              type: "image";
            }
        )[];
    name?: string;
    role: "system" | "user" | "assistant" | "tool";
  }[];
  /**
   * ID of the model to use
   */
  model: string;
  /**
   * Number of chat completion choices to generate
   */
  n?: number;
  /**
   * Penalty for new tokens based on presence in text (-2 to 2)
   */
  presence_penalty?: number;
  /**
   * Specify 'json_object' to receive JSON response or 'text' for raw text
   */
  response_format?: {
    type: "text" | "json_object";
  };
  /**
   * Parameters for live search capabilities
   */
  search_parameters?: {
    /**
     * ISO 8601 format, e.g. YYYY-MM-DD
     */
    from_date?: string;
    max_search_results?: number;
    mode?: "off" | "auto" | "on";
    return_citations?: boolean;
    sources?: (
      | {
          /**
           * ISO alpha-2 country code
           */
          country?: string;
          /**
           * @maxItems 5
           */
          excluded_websites?: string[];
          safe_search?: boolean;
          type: "web";
        }
      | {
          type: "x";
          x_handles?: string[];
        }
      | {
          /**
           * ISO alpha-2 country code
           */
          country?: string;
          /**
           * @maxItems 5
           */
          excluded_websites?: string[];
          safe_search?: boolean;
          type: "news";
        }
      | {
          links: string[];
          type: "rss";
        }
    )[];
    /**
     * ISO 8601 format, e.g. YYYY-MM-DD
     */
    to_date?: string;
  };
  /**
   * If specified, results will be more deterministic when the same seed is used
   */
  seed?: number;
  /**
   * Sequences where the API will stop generating further tokens
   */
  stop?: string | string[];
  /**
   * If set, partial message deltas will be sent
   */
  stream?: boolean;
  /**
   * Sampling temperature (0-2)
   */
  temperature?: number;
  /**
   * Controls which (if any) tool is called by the model
   */
  tool_choice?:
    | "auto"
    | "none"
    | {
        function: {
          /**
           * Force the model to call the specified function
           */
          name: string;
        };
        type: "function";
      };
  /**
   * List of tools the model may call
   */
  tools?: {
    function: {
      description?: string;
      name: string;
      parameters?: {
        properties?: {
          [k: string]: unknown;
        };
        required?: string[];
        type: "object";
      };
    };
    type: string;
  }[];
  /**
   * Nucleus sampling parameter (0-1)
   */
  top_p?: number;
  /**
   * A unique user identifier
   */
  user?: string;
}
