/**
 * `FeedParser`: a bounded parser for RSS 2.0, RSS 1.0 (RDF) and Atom feeds from untrusted
 * sources. It is a small XML tokenizer written for hostile input:
 *
 * - no entity expansion beyond the five XML built-ins and numeric references (an undeclared or
 *   DTD-declared entity such as `&lol9;` stays as literal text), so billion-laughs and quadratic
 *   blow-up documents cost their own size and nothing more;
 * - a `DOCTYPE` (internal subset included) is skipped, never interpreted: no external entity,
 *   no external DTD, nothing is ever read or fetched;
 * - the input size, the element depth and the element count are capped, every scan is linear;
 * - element and attribute names live in arrays and `Map`s, so `__proto__` or `constructor`
 *   elements are ordinary names;
 * - bytes are decoded with replacement (invalid UTF-8 becomes U+FFFD), honouring a BOM, the
 *   HTTP charset or the XML declaration.
 *
 * Entries come out as `{ title, url, published, summary }` with text sanitized: tags and
 * scripts stripped, entities decoded once, control and invisible format characters (zero-width,
 * bidi overrides, Unicode tag characters) removed, whitespace collapsed, length capped.
 *
 * @since 0.1.0
 */
import { Data, Effect } from "effect"

/**
 * One feed entry, sanitized.
 *
 * @since 0.1.0
 * @category models
 */
export interface FeedEntry {
  readonly title: string
  /** The entry's link (http or https, absolute), if it has one. */
  readonly url: string | undefined
  readonly published: Date | undefined
  readonly summary: string
}

/**
 * A parsed feed.
 *
 * @since 0.1.0
 * @category models
 */
export interface Feed {
  readonly format: "rss2" | "rss1" | "atom"
  readonly title: string
  readonly link: string | undefined
  readonly entries: ReadonlyArray<FeedEntry>
  /** True when the feed had more entries than `maxEntries` (the rest were dropped). */
  readonly truncated: boolean
}

/**
 * Limits and context of a parse.
 *
 * @since 0.1.0
 * @category models
 */
export interface FeedParserOptions {
  /** Input cap (bytes for byte input, UTF-16 units for strings). Default 5 MiB. */
  readonly maxInputBytes?: number | undefined
  /** Element nesting cap. Default 64. */
  readonly maxDepth?: number | undefined
  /** Element count cap. Default 50 000. */
  readonly maxElements?: number | undefined
  /** Entries kept at most. Default 500. */
  readonly maxEntries?: number | undefined
  /** Title length cap (characters). Default 300. */
  readonly maxTitleLength?: number | undefined
  /** Summary length cap (characters). Default 1000. */
  readonly maxSummaryLength?: number | undefined
  /** The feed's own URL, to resolve relative links. */
  readonly baseUrl?: string | undefined
  /** The charset from the HTTP `Content-Type`, if any (wins over the XML declaration). */
  readonly charset?: string | undefined
}

/**
 * Why a feed was refused.
 *
 * @since 0.1.0
 * @category models
 */
export type FeedParseErrorReason = "TooLarge" | "TooDeep" | "TooManyElements" | "Malformed" | "NotAFeed"

/**
 * The error of `parse`.
 *
 * @since 0.1.0
 * @category errors
 */
export class FeedParseError extends Data.TaggedError("FeedParseError")<{
  readonly reason: FeedParseErrorReason
  readonly description: string
}> {
  override get message(): string {
    return `invalid feed (${this.reason}): ${this.description}`
  }
}

/**
 * Default input cap: 5 MiB.
 *
 * @since 0.1.0
 * @category defaults
 */
export const DEFAULT_MAX_INPUT_BYTES = 5 * 1024 * 1024

/**
 * Default depth cap: 64.
 *
 * @since 0.1.0
 * @category defaults
 */
export const DEFAULT_MAX_DEPTH = 64

/**
 * Default element-count cap: 50 000 (a 500-entry feed has about 7 500).
 *
 * @since 0.1.0
 * @category defaults
 */
export const DEFAULT_MAX_ELEMENTS = 50_000

// ---------------------------------------------------------------------------------------------
// Bytes to text
// ---------------------------------------------------------------------------------------------

const latin1 = new TextDecoder("latin1")

const decoderFor = (label: string | undefined): InstanceType<typeof TextDecoder> | undefined => {
  if (label === undefined) return undefined
  try {
    return new TextDecoder(label.trim().toLowerCase(), { fatal: false })
  } catch {
    return undefined
  }
}

/**
 * Decodes feed bytes to text: a BOM wins, then `charset` (from HTTP), then the XML declaration's
 * `encoding`, then UTF-8. Invalid sequences become U+FFFD; unknown labels fall back to UTF-8.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeBytes = (bytes: Uint8Array, charset?: string): string => {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return new TextDecoder("utf-8").decode(bytes.subarray(3))
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2))
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2))
  const head = latin1.decode(bytes.subarray(0, 512))
  const declared = /^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']/.exec(head)?.[1]
  const decoder = decoderFor(charset) ?? decoderFor(declared) ?? new TextDecoder("utf-8")
  return decoder.decode(bytes)
}

// ---------------------------------------------------------------------------------------------
// XML tokenizer
// ---------------------------------------------------------------------------------------------

interface XmlElement {
  readonly name: string
  readonly attributes: ReadonlyMap<string, string>
  readonly children: Array<XmlElement | string>
}

const NO_ATTRIBUTES: ReadonlyMap<string, string> = new Map()
const NO_CHILDREN: Array<XmlElement | string> = Object.freeze([]) as unknown as Array<XmlElement | string>

const XML_ENTITIES = /&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));/g
const NAMED_XML: ReadonlyMap<string, string> = new Map([["lt", "<"], ["gt", ">"], ["amp", "&"], ["quot", "\""], [
  "apos",
  "'"
]])

const fromCodePoint = (code: number): string =>
  code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? "\uFFFD" : String.fromCodePoint(code)

/** The five XML entities and numeric references, once; anything else stays literal. */
const decodeXmlEntities = (text: string): string =>
  text.indexOf("&") === -1 ?
    text :
    text.replace(XML_ENTITIES, (_, dec: string | undefined, hex: string | undefined, named: string | undefined) =>
      dec !== undefined
        ? fromCodePoint(Number(dec))
        : hex !== undefined
        ? fromCodePoint(parseInt(hex, 16))
        : NAMED_XML.get(named!)!)

const isNameStart = (code: number): boolean =>
  (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 58 || code >= 0x80

const isNameChar = (code: number): boolean =>
  isNameStart(code) || (code >= 48 && code <= 57) || code === 45 || code === 46

const isSpace = (code: number): boolean => code === 32 || code === 9 || code === 10 || code === 13

const MAX_NAME_LENGTH = 256
const MAX_ATTRIBUTES = 256

interface Limits {
  readonly maxDepth: number
  readonly maxElements: number
}

/** Skips a `<!...>` declaration (DOCTYPE with its internal subset, or any other); returns the index after `>`. */
const skipDeclaration = (text: string, start: number): number => {
  let depth = 0
  let i = start
  const n = text.length
  while (i < n) {
    const code = text.charCodeAt(i)
    if (code === 34 || code === 39) {
      const end = text.indexOf(code === 34 ? "\"" : "'", i + 1)
      if (end === -1) return -1
      i = end + 1
      continue
    }
    if (code === 60 && text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i + 4)
      if (end === -1) return -1
      i = end + 3
      continue
    }
    if (code === 91) depth++
    else if (code === 93) depth--
    else if (code === 62 && depth <= 0) return i + 1
    i++
  }
  return -1
}

type TagResult =
  | {
    readonly _tag: "Tag"
    readonly name: string
    readonly attributes: ReadonlyMap<string, string>
    readonly selfClosing: boolean
    readonly end: number
  }
  | { readonly _tag: "NotATag" }
  | { readonly _tag: "Malformed"; readonly description: string }

const scanName = (text: string, start: number): number => {
  let i = start
  while (i < text.length && isNameChar(text.charCodeAt(i))) i++
  return i
}

/** Parses a start tag whose name starts at `start` (just after `<`). */
const parseStartTag = (text: string, start: number): TagResult => {
  if (start >= text.length || !isNameStart(text.charCodeAt(start))) return { _tag: "NotATag" }
  const nameEnd = scanName(text, start)
  if (nameEnd - start > MAX_NAME_LENGTH) return { _tag: "Malformed", description: "element name too long" }
  const name = text.slice(start, nameEnd)
  let attributes: Map<string, string> | undefined
  let i = nameEnd
  const n = text.length
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++
    if (i >= n) return { _tag: "Malformed", description: `unterminated tag <${name}>` }
    const code = text.charCodeAt(i)
    if (code === 62) {
      return { _tag: "Tag", name, attributes: attributes ?? NO_ATTRIBUTES, selfClosing: false, end: i + 1 }
    }
    if (code === 47) {
      if (text.charCodeAt(i + 1) === 62) {
        return { _tag: "Tag", name, attributes: attributes ?? NO_ATTRIBUTES, selfClosing: true, end: i + 2 }
      }
      return { _tag: "Malformed", description: `stray / in tag <${name}>` }
    }
    if (!isNameStart(code)) return { _tag: "Malformed", description: `unexpected character in tag <${name}>` }
    const attrEnd = scanName(text, i)
    if (attrEnd - i > MAX_NAME_LENGTH) return { _tag: "Malformed", description: "attribute name too long" }
    const attrName = text.slice(i, attrEnd)
    i = attrEnd
    while (i < n && isSpace(text.charCodeAt(i))) i++
    let value = ""
    if (text.charCodeAt(i) === 61) {
      i++
      while (i < n && isSpace(text.charCodeAt(i))) i++
      const quote = text.charCodeAt(i)
      if (quote !== 34 && quote !== 39) return { _tag: "Malformed", description: `unquoted attribute in <${name}>` }
      const close = text.indexOf(quote === 34 ? "\"" : "'", i + 1)
      if (close === -1) return { _tag: "Malformed", description: `unterminated attribute in <${name}>` }
      const raw = text.slice(i + 1, close)
      if (raw.indexOf("<") !== -1) return { _tag: "Malformed", description: `< in an attribute of <${name}>` }
      value = decodeXmlEntities(raw)
      i = close + 1
    }
    attributes ??= new Map()
    if (attributes.size >= MAX_ATTRIBUTES) return { _tag: "Malformed", description: `too many attributes in <${name}>` }
    if (!attributes.has(attrName)) attributes.set(attrName, value)
  }
}

const parseXml = (text: string, limits: Limits): XmlElement | FeedParseError => {
  const documentNode: XmlElement = { name: "#document", attributes: NO_ATTRIBUTES, children: [] }
  const stack: Array<XmlElement> = [documentNode]
  let elements = 0
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0
  // `pos` is where pending text starts; `searchFrom` skips `<` characters that opened no tag, so a
  // run of stray `<` stays one text slice (not one string per `<`)
  let searchFrom = pos
  const n = text.length
  const malformed = (description: string) => new FeedParseError({ reason: "Malformed", description })
  const addText = (value: string) => {
    if (value !== "") stack[stack.length - 1]!.children.push(value)
  }
  while (pos < n) {
    if (searchFrom < pos) searchFrom = pos
    const lt = text.indexOf("<", searchFrom)
    if (lt === -1) {
      addText(decodeXmlEntities(text.slice(pos)))
      break
    }
    const next = text.charCodeAt(lt + 1)
    const opensMarkup = next === 33 || next === 63 || next === 47 || (lt + 1 < n && isNameStart(next))
    if (!opensMarkup) {
      searchFrom = lt + 1
      continue
    }
    if (lt > pos) addText(decodeXmlEntities(text.slice(pos, lt)))
    pos = lt
    searchFrom = lt
    if (next === 33 /* ! */) {
      if (text.startsWith("<!--", lt)) {
        const end = text.indexOf("-->", lt + 4)
        if (end === -1) return malformed("unterminated comment")
        pos = end + 3
      } else if (text.startsWith("<![CDATA[", lt)) {
        const end = text.indexOf("]]>", lt + 9)
        if (end === -1) return malformed("unterminated CDATA section")
        addText(text.slice(lt + 9, end))
        pos = end + 3
      } else {
        // DOCTYPE (and its internal subset), ENTITY, ELEMENT...: skipped, never interpreted.
        const end = skipDeclaration(text, lt + 2)
        if (end === -1) return malformed("unterminated declaration")
        pos = end
      }
      continue
    }
    if (next === 63 /* ? */) {
      const end = text.indexOf("?>", lt + 2)
      if (end === -1) return malformed("unterminated processing instruction")
      pos = end + 2
      continue
    }
    if (next === 47 /* / */) {
      const end = text.indexOf(">", lt + 2)
      if (end === -1) return malformed("unterminated end tag")
      const name = text.slice(lt + 2, end).trim()
      for (let i = stack.length - 1; i > 0; i--) {
        if (stack[i]!.name === name) {
          stack.length = i
          break
        }
      }
      pos = end + 1
      continue
    }
    const tag = parseStartTag(text, lt + 1)
    if (tag._tag === "NotATag") {
      searchFrom = lt + 1
      continue
    }
    if (tag._tag === "Malformed") return malformed(tag.description)
    elements++
    if (elements > limits.maxElements) {
      return new FeedParseError({ reason: "TooManyElements", description: `more than ${limits.maxElements} elements` })
    }
    const element: XmlElement = {
      name: tag.name,
      attributes: tag.attributes,
      children: tag.selfClosing ? NO_CHILDREN : []
    }
    stack[stack.length - 1]!.children.push(element)
    if (!tag.selfClosing) {
      if (stack.length > limits.maxDepth) {
        return new FeedParseError({ reason: "TooDeep", description: `elements nested deeper than ${limits.maxDepth}` })
      }
      stack.push(element)
    }
    pos = tag.end
  }
  return documentNode
}

// ---------------------------------------------------------------------------------------------
// Sanitizing
// ---------------------------------------------------------------------------------------------

const HTML_ENTITIES: ReadonlyMap<string, string> = new Map([
  ["lt", "<"],
  ["gt", ">"],
  ["amp", "&"],
  ["quot", "\""],
  ["apos", "'"],
  ["nbsp", " "],
  ["ndash", "–"],
  ["mdash", "—"],
  ["hellip", "…"],
  ["lsquo", "‘"],
  ["rsquo", "’"],
  ["ldquo", "“"],
  ["rdquo", "”"],
  ["laquo", "«"],
  ["raquo", "»"],
  ["copy", "©"],
  ["reg", "®"],
  ["trade", "™"],
  ["deg", "°"],
  ["middot", "·"],
  ["bull", "•"],
  ["euro", "€"],
  ["pound", "£"],
  ["eacute", "é"],
  ["egrave", "è"],
  ["agrave", "à"],
  ["ccedil", "ç"],
  ["uuml", "ü"],
  ["ouml", "ö"],
  ["auml", "ä"],
  ["szlig", "ß"]
])
const HTML_ENTITY = /&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z]{2,8}));/g

const decodeHtmlEntities = (text: string): string =>
  text.indexOf("&") === -1 ?
    text :
    text.replace(HTML_ENTITY, (whole, dec: string | undefined, hex: string | undefined, named: string | undefined) =>
      dec !== undefined
        ? fromCodePoint(Number(dec))
        : hex !== undefined
        ? fromCodePoint(parseInt(hex, 16))
        : HTML_ENTITIES.get(named!.toLowerCase()) ?? whole)

/** Removes `<script>`/`<style>` elements with their content, linearly (no regex backtracking). */
const dropRawTextElements = (html: string): string => {
  const lower = html.toLowerCase()
  if (lower.indexOf("<script") === -1 && lower.indexOf("<style") === -1) return html
  const parts: Array<string> = []
  let pos = 0
  for (;;) {
    const script = lower.indexOf("<script", pos)
    const style = lower.indexOf("<style", pos)
    const start = script === -1 ? style : style === -1 ? script : Math.min(script, style)
    if (start === -1) {
      parts.push(html.slice(pos))
      break
    }
    parts.push(html.slice(pos, start), " ")
    const close = lower.indexOf(start === script ? "</script" : "</style", start)
    if (close === -1) break
    const end = lower.indexOf(">", close)
    if (end === -1) break
    pos = end + 1
  }
  return parts.join("")
}

// control characters (but tab/newline), format characters (zero-width, bidi, soft hyphen, Unicode
// tags), lone surrogates, line/paragraph separators, noncharacters
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029\uFFF9-\uFFFB\uFFFE\uFFFF]/gu

/**
 * Makes untrusted markup or text safe to show as plain text: strips `<script>`/`<style>` with
 * their content and every other tag, decodes entities once, removes control and invisible
 * format characters, collapses whitespace, and caps the length (in code points, with `…`).
 *
 * @since 0.1.0
 * @category sanitizing
 */
export const sanitizeText = (input: string, maxLength: number): string => {
  const bounded = input.length > maxLength * 16 + 4096 ? input.slice(0, maxLength * 16 + 4096) : input
  const noTags = dropRawTextElements(bounded)
    .replace(/<!--[\s\S]*?(?:-->|$)/g, " ")
    .replace(/<\/?[A-Za-z!?][^<>]*(?:>|$)/g, " ")
  const text = decodeHtmlEntities(noTags)
    .replace(INVISIBLE, (ch) => (ch === "\t" || ch === "\n" || ch === "\r" ? " " : ""))
    .replace(/\s+/g, " ")
    .trim()
  const points = Array.from(text)
  return points.length <= maxLength ? text : `${points.slice(0, Math.max(0, maxLength - 1)).join("").trimEnd()}…`
}

// ---------------------------------------------------------------------------------------------
// Feed interpretation
// ---------------------------------------------------------------------------------------------

const localName = (name: string): string => {
  const colon = name.lastIndexOf(":")
  return colon === -1 ? name : name.slice(colon + 1)
}

const elementsOf = (element: XmlElement): Array<XmlElement> =>
  element.children.filter((child): child is XmlElement => typeof child !== "string")

const childrenNamed = (element: XmlElement, local: string): Array<XmlElement> =>
  elementsOf(element).filter((child) => localName(child.name) === local)

const firstNamed = (element: XmlElement, ...locals: ReadonlyArray<string>): XmlElement | undefined => {
  for (const local of locals) {
    const found = elementsOf(element).find((child) => localName(child.name) === local)
    if (found !== undefined) return found
  }
  return undefined
}

const MAX_FIELD_CHARS = 256 * 1024

/** All the text under an element, capped. */
const textOf = (element: XmlElement | undefined): string => {
  if (element === undefined) return ""
  const parts: Array<string> = []
  let size = 0
  const walk = (node: XmlElement) => {
    for (const child of node.children) {
      if (size >= MAX_FIELD_CHARS) return
      if (typeof child === "string") {
        parts.push(child)
        size += child.length
      } else {
        parts.push(" ")
        walk(child)
      }
    }
  }
  walk(element)
  return parts.join("")
}

const attr = (element: XmlElement, name: string): string | undefined => {
  const direct = element.attributes.get(name)
  if (direct !== undefined) return direct
  for (const [key, value] of element.attributes) if (localName(key) === name) return value
  return undefined
}

const resolveUrl = (raw: string | undefined, base: string | undefined): string | undefined => {
  if (raw === undefined) return undefined
  const trimmed = raw.replace(INVISIBLE, "").trim()
  if (trimmed === "" || trimmed.length > 4096) return undefined
  try {
    const url = base === undefined ? new URL(trimmed) : new URL(trimmed, base)
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined
    if (url.href.length > 2048) return undefined
    return url.href
  } catch {
    return undefined
  }
}

const parseDate = (raw: string): Date | undefined => {
  const text = raw.replace(/\s+/g, " ").trim()
  if (text === "" || text.length > 64) return undefined
  const ms = Date.parse(text)
  if (!Number.isFinite(ms)) return undefined
  const date = new Date(ms)
  const year = date.getUTCFullYear()
  return year < 1900 || year > 2200 ? undefined : date
}

interface Fields {
  readonly maxTitle: number
  readonly maxSummary: number
}

const withBase = (element: XmlElement, base: string | undefined): string | undefined => {
  const xmlBase = element.attributes.get("xml:base")
  return xmlBase === undefined ? base : resolveUrl(xmlBase, base) ?? base
}

const rssLink = (item: XmlElement, base: string | undefined): string | undefined => {
  const plain = elementsOf(item).find((child) => child.name === "link")
  const fromPlain = resolveUrl(plain === undefined ? undefined : textOf(plain), base)
  if (fromPlain !== undefined) return fromPlain
  for (const link of childrenNamed(item, "link")) {
    const rel = attr(link, "rel")
    if (rel !== undefined && rel !== "alternate") continue
    const href = resolveUrl(attr(link, "href"), base)
    if (href !== undefined) return href
  }
  const guid = firstNamed(item, "guid")
  if (guid !== undefined && attr(guid, "isPermaLink") !== "false") {
    const fromGuid = resolveUrl(textOf(guid), undefined)
    if (fromGuid !== undefined) return fromGuid
  }
  return resolveUrl(attr(item, "about"), base)
}

const atomLink = (entry: XmlElement, base: string | undefined): string | undefined => {
  const links = childrenNamed(entry, "link")
  const preferred = links.find((link) => {
    const rel = attr(link, "rel")
    return rel === undefined || rel === "alternate"
  }) ?? links[0]
  const href = preferred === undefined ? undefined : resolveUrl(attr(preferred, "href"), base)
  if (href !== undefined) return href
  return rssLink(entry, base)
}

const entryFrom = (
  item: XmlElement,
  format: Feed["format"],
  base: string | undefined,
  fields: Fields
): FeedEntry => {
  const entryBase = withBase(item, base)
  const title = sanitizeText(textOf(firstNamed(item, "title")), fields.maxTitle)
  const url = format === "atom" ? atomLink(item, entryBase) : rssLink(item, entryBase)
  const dateElement = format === "atom"
    ? firstNamed(item, "published", "updated", "issued", "modified", "date", "pubDate")
    : firstNamed(item, "pubDate", "date", "published", "updated", "issued", "modified")
  const published = dateElement === undefined ? undefined : parseDate(textOf(dateElement))
  const summaryElement = format === "atom"
    ? firstNamed(item, "summary", "content", "description")
    : firstNamed(item, "description", "encoded", "summary", "content")
  const summary = sanitizeText(textOf(summaryElement), fields.maxSummary)
  return { title, url, published, summary }
}

const parseText = (text: string, options: FeedParserOptions): Feed | FeedParseError => {
  const tree = parseXml(text, {
    maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxElements: options.maxElements ?? DEFAULT_MAX_ELEMENTS
  })
  if (tree instanceof FeedParseError) return tree
  const root = elementsOf(tree)[0]
  if (root === undefined) return new FeedParseError({ reason: "NotAFeed", description: "no root element" })
  const fields: Fields = { maxTitle: options.maxTitleLength ?? 300, maxSummary: options.maxSummaryLength ?? 1000 }
  const maxEntries = options.maxEntries ?? 500
  const rootName = localName(root.name)
  let format: Feed["format"]
  let channel: XmlElement | undefined
  let items: Array<XmlElement>
  if (rootName === "rss") {
    format = "rss2"
    channel = firstNamed(root, "channel")
    items = channel === undefined ? childrenNamed(root, "item") : childrenNamed(channel, "item")
    if (channel !== undefined && items.length === 0) items = childrenNamed(root, "item")
  } else if (rootName === "RDF") {
    format = "rss1"
    channel = firstNamed(root, "channel")
    items = childrenNamed(root, "item")
    if (items.length === 0 && channel !== undefined) items = childrenNamed(channel, "item")
  } else if (rootName === "feed") {
    format = "atom"
    channel = root
    items = childrenNamed(root, "entry")
  } else {
    return new FeedParseError({
      reason: "NotAFeed",
      description: `the root element is <${root.name.slice(0, 64)}>, not rss, rdf:RDF or feed`
    })
  }
  const base = withBase(root, options.baseUrl)
  const channelBase = channel === undefined ? base : withBase(channel, base)
  const entries = items.slice(0, maxEntries).map((item) => entryFrom(item, format, channelBase, fields))
  const title = channel === undefined ? "" : sanitizeText(textOf(firstNamed(channel, "title")), fields.maxTitle)
  const link = channel === undefined
    ? undefined
    : format === "atom"
    ? atomLink(channel, channelBase)
    : rssLink(channel, channelBase)
  return { format, title, link, entries, truncated: items.length > maxEntries }
}

/**
 * Parses a feed synchronously: the feed, or the error.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseSync = (input: string | Uint8Array, options: FeedParserOptions = {}): Feed | FeedParseError => {
  const max = options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES
  const size = typeof input === "string" ? input.length : input.byteLength
  if (size > max) {
    return new FeedParseError({ reason: "TooLarge", description: `the input has ${size} bytes; the limit is ${max}` })
  }
  const text = typeof input === "string" ? input : decodeBytes(input, options.charset)
  return parseText(text, options)
}

/**
 * Parses an RSS 2.0, RSS 1.0 or Atom feed under the limits of `options`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (
  input: string | Uint8Array,
  options: FeedParserOptions = {}
): Effect.Effect<Feed, FeedParseError> =>
  Effect.suspend(() => {
    const result = parseSync(input, options)
    return result instanceof FeedParseError ? Effect.fail(result) : Effect.succeed(result)
  })

/**
 * The `charset` parameter of a `Content-Type` header, if any.
 *
 * @since 0.1.0
 * @category decoding
 */
export const charsetOf = (contentType: string | undefined): string | undefined =>
  contentType === undefined ? undefined : /;\s*charset\s*=\s*"?([A-Za-z0-9._:-]{1,40})"?/i.exec(contentType)?.[1]
