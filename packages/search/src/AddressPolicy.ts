/**
 * `AddressPolicy`: which hosts and IP addresses an untrusted URL may reach. It classifies IPv4
 * and IPv6 addresses against the special-purpose ranges (loopback, private, link-local, CGNAT,
 * `0.0.0.0/8`, multicast, reserved, documentation, benchmarking, unique-local, IPv4-mapped and
 * NAT64/6to4 forms of all of them), refuses local host names (`localhost`, `*.local`,
 * `*.internal`), and lets an allow list of hosts and CIDRs through, for tests and intranets.
 * `GuardedFetch` applies it twice: to the URL before connecting and to every address the
 * resolver returns at connect time.
 *
 * @since 0.1.0
 */

/**
 * An IP address as bytes: 4 for IPv4, 16 for IPv6.
 *
 * @since 0.1.0
 * @category models
 */
export interface IpAddress {
  readonly family: 4 | 6
  readonly bytes: Uint8Array
}

/**
 * Why an address or host is refused: a short name and the range it falls in, e.g.
 * `"loopback 127.0.0.0/8"`.
 *
 * @since 0.1.0
 * @category models
 */
export type BlockRule = string

/**
 * Parses a dotted-quad IPv4 address (`a.b.c.d`, decimal parts 0-255, no leading zeros beyond
 * `0`). Returns `undefined` for anything else.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseIPv4 = (text: string): IpAddress | undefined => {
  const parts = text.split(".")
  if (parts.length !== 4) return undefined
  const bytes = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined
    const value = Number(part)
    if (value > 255) return undefined
    bytes[i] = value
  }
  return { family: 4, bytes }
}

/**
 * Parses an IPv4 address the way `inet_aton` does: one to four parts, each decimal, octal
 * (leading `0`) or hexadecimal (`0x`), the last part filling the remaining bytes
 * (`2130706433`, `017700000001`, `0x7f.1`, `127.1` are all `127.0.0.1`). The WHATWG URL parser
 * already normalises these forms for http(s) URLs; this is the backstop for any host string that
 * did not go through it.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseIPv4Loose = (text: string): IpAddress | undefined => {
  const trimmed = text.endsWith(".") ? text.slice(0, -1) : text
  const parts = trimmed.split(".")
  if (parts.length < 1 || parts.length > 4) return undefined
  const values: Array<number> = []
  for (const part of parts) {
    let value: number
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16)
    else if (/^0[0-7]+$/.test(part)) value = parseInt(part.slice(1), 8)
    else if (/^(0|[1-9][0-9]*)$/.test(part)) value = Number(part)
    else return undefined
    if (!Number.isFinite(value) || part.length > 40) return undefined
    values.push(value)
  }
  const last = values[values.length - 1]!
  const leading = values.slice(0, -1)
  if (leading.some((v) => v > 255)) return undefined
  const remaining = 4 - leading.length
  if (last >= 2 ** (8 * remaining)) return undefined
  const bytes = new Uint8Array(4)
  leading.forEach((v, i) => (bytes[i] = v))
  let rest = last
  for (let i = 3; i >= leading.length; i--) {
    bytes[i] = rest % 256
    rest = Math.floor(rest / 256)
  }
  return { family: 4, bytes }
}

/**
 * Parses an IPv6 address (with `::` compression and an optional trailing dotted IPv4 part;
 * brackets and a `%zone` suffix are ignored). Returns `undefined` for anything else.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseIPv6 = (input: string): IpAddress | undefined => {
  let text = input.startsWith("[") && input.endsWith("]") ? input.slice(1, -1) : input
  const zone = text.indexOf("%")
  if (zone !== -1) text = text.slice(0, zone)
  if (text.length < 2 || text.length > 45 || !/^[0-9a-f:.]+$/i.test(text)) return undefined
  const halves = text.split("::")
  if (halves.length > 2) return undefined
  const parseGroups = (part: string): Array<number> | undefined => {
    if (part === "") return []
    const groups: Array<number> = []
    const pieces = part.split(":")
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!
      if (i === pieces.length - 1 && piece.includes(".")) {
        const v4 = parseIPv4(piece)
        if (v4 === undefined) return undefined
        groups.push((v4.bytes[0]! << 8) | v4.bytes[1]!, (v4.bytes[2]! << 8) | v4.bytes[3]!)
        continue
      }
      if (!/^[0-9a-f]{1,4}$/i.test(piece)) return undefined
      groups.push(parseInt(piece, 16))
    }
    return groups
  }
  const head = parseGroups(halves[0]!)
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : []
  if (head === undefined || tail === undefined) return undefined
  let groups: Array<number>
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length
    if (missing < 1) return undefined
    groups = [...head, ...Array.from({ length: missing }, () => 0), ...tail]
  } else {
    groups = head
  }
  if (groups.length !== 8) return undefined
  const bytes = new Uint8Array(16)
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8
    bytes[2 * i + 1] = g & 0xff
  })
  return { family: 6, bytes }
}

/**
 * Parses an IPv4 (dotted quad) or IPv6 address.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseIp = (text: string): IpAddress | undefined => parseIPv4(text) ?? parseIPv6(text)

/**
 * Formats an address in its usual text form (IPv6 compressed, lower case).
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatIp = (ip: IpAddress): string => {
  if (ip.family === 4) return Array.from(ip.bytes).join(".")
  const groups: Array<number> = []
  for (let i = 0; i < 8; i++) groups.push((ip.bytes[2 * i]! << 8) | ip.bytes[2 * i + 1]!)
  let bestStart = -1
  let bestLength = 0
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength && j - i > 1) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart === -1) return hex.join(":")
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`
}

interface Cidr {
  readonly ip: IpAddress
  readonly prefix: number
}

const inCidr = (ip: IpAddress, cidr: Cidr): boolean => {
  if (ip.family !== cidr.ip.family) return false
  let bits = cidr.prefix
  for (let i = 0; bits > 0; i++) {
    const take = Math.min(8, bits)
    const mask = (0xff << (8 - take)) & 0xff
    if ((ip.bytes[i]! & mask) !== (cidr.ip.bytes[i]! & mask)) return false
    bits -= take
  }
  return true
}

/**
 * Parses `address/prefix` (or a bare address, as a single-address range).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseCidr = (text: string): { readonly ip: IpAddress; readonly prefix: number } | undefined => {
  const slash = text.indexOf("/")
  const ip = parseIp(slash === -1 ? text : text.slice(0, slash))
  if (ip === undefined) return undefined
  const max = ip.family === 4 ? 32 : 128
  if (slash === -1) return { ip, prefix: max }
  const prefixText = text.slice(slash + 1)
  if (!/^[0-9]{1,3}$/.test(prefixText)) return undefined
  const prefix = Number(prefixText)
  if (prefix > max) return undefined
  return { ip, prefix }
}

const range = (text: string, name: string): { readonly cidr: Cidr; readonly rule: BlockRule } => {
  const cidr = parseCidr(text)
  if (cidr === undefined) throw new Error(`bad built-in range ${text}`)
  return { cidr, rule: `${name} ${text}` }
}

// IANA IPv4 Special-Purpose Address Registry (RFC 6890 and updates), plus multicast and 240/4.
const IPV4_BLOCKED = [
  range("0.0.0.0/8", "this-network"),
  range("10.0.0.0/8", "private"),
  range("100.64.0.0/10", "carrier-grade-nat"),
  range("127.0.0.0/8", "loopback"),
  range("169.254.0.0/16", "link-local"),
  range("172.16.0.0/12", "private"),
  range("192.0.0.0/24", "ietf-protocol-assignments"),
  range("192.0.2.0/24", "documentation"),
  range("192.88.99.0/24", "6to4-relay-anycast"),
  range("192.168.0.0/16", "private"),
  range("198.18.0.0/15", "benchmarking"),
  range("198.51.100.0/24", "documentation"),
  range("203.0.113.0/24", "documentation"),
  range("224.0.0.0/4", "multicast"),
  range("240.0.0.0/4", "reserved")
]

// IPv6: only global unicast (2000::/3) is public; inside it, these are not.
const IPV6_BLOCKED_IN_GLOBAL = [
  range("2001::/32", "teredo"),
  range("2001:db8::/32", "documentation"),
  range("2001::/23", "ietf-protocol-assignments"),
  range("3fff::/20", "documentation")
]
const IPV6_NAMED = [
  range("::/128", "unspecified"),
  range("::1/128", "loopback"),
  range("64:ff9b:1::/48", "nat64-local-use"),
  range("100::/64", "discard-only"),
  range("::/96", "ipv4-compatible"),
  range("fc00::/7", "unique-local"),
  range("fe80::/10", "link-local"),
  range("fec0::/10", "site-local"),
  range("ff00::/8", "multicast")
]
const IPV4_MAPPED = parseCidr("::ffff:0:0/96")!
const NAT64 = parseCidr("64:ff9b::/96")!
const SIX_TO_FOUR = parseCidr("2002::/16")!
const GLOBAL_UNICAST = parseCidr("2000::/3")!

const embeddedV4 = (ip: IpAddress, offset: number): IpAddress => ({
  family: 4,
  bytes: ip.bytes.slice(offset, offset + 4)
})

/**
 * The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), NAT64 (`64:ff9b::/96`) or 6to4
 * (`2002::/16`) IPv6 address, if any.
 *
 * @since 0.1.0
 * @category parsing
 */
export const embeddedIPv4 = (ip: IpAddress): IpAddress | undefined => {
  if (ip.family !== 6) return undefined
  if (inCidr(ip, IPV4_MAPPED) || inCidr(ip, NAT64)) return embeddedV4(ip, 12)
  if (inCidr(ip, SIX_TO_FOUR)) return embeddedV4(ip, 2)
  return undefined
}

/**
 * Why an address is not public, or `undefined` when it is a public unicast address.
 *
 * @since 0.1.0
 * @category classification
 */
export const classify = (ip: IpAddress): BlockRule | undefined => {
  if (ip.family === 4) {
    for (const { cidr, rule } of IPV4_BLOCKED) if (inCidr(ip, cidr)) return rule
    return undefined
  }
  const v4 = embeddedIPv4(ip)
  if (v4 !== undefined) {
    const inner = classify(v4)
    const form = inCidr(ip, IPV4_MAPPED) ? "ipv4-mapped" : inCidr(ip, NAT64) ? "nat64" : "6to4"
    return inner === undefined ? undefined : `${form} ${formatIp(v4)}: ${inner}`
  }
  for (const { cidr, rule } of IPV6_NAMED) if (inCidr(ip, cidr)) return rule
  if (!inCidr(ip, GLOBAL_UNICAST)) return "reserved (not in 2000::/3)"
  for (const { cidr, rule } of IPV6_BLOCKED_IN_GLOBAL) if (inCidr(ip, cidr)) return rule
  return undefined
}

/**
 * Why a host name (not an IP literal) is refused by name, or `undefined`: `localhost` and
 * `*.localhost`, `*.localdomain`, mDNS `*.local`, and `*.internal` (cloud metadata names such as
 * `metadata.google.internal`). Addresses are checked separately, after resolution.
 *
 * @since 0.1.0
 * @category classification
 */
export const classifyHostname = (hostname: string): BlockRule | undefined => {
  const name = normalizeHostname(hostname)
  if (name === "") return "empty host"
  if (name === "localhost" || name.endsWith(".localhost")) return "localhost name"
  if (name === "localdomain" || name.endsWith(".localdomain")) return "localdomain name"
  if (name.endsWith(".local")) return "mDNS .local name"
  if (name === "internal" || name.endsWith(".internal")) return ".internal name"
  return undefined
}

/**
 * Lower case, without brackets and without one trailing dot.
 *
 * @since 0.1.0
 * @category parsing
 */
export const normalizeHostname = (hostname: string): string => {
  let name = hostname.toLowerCase()
  if (name.startsWith("[") && name.endsWith("]")) name = name.slice(1, -1)
  if (name.endsWith(".")) name = name.slice(0, -1)
  return name
}

/**
 * An allow list: host names (exact, or `*.suffix` for subdomains), IP addresses and CIDR ranges.
 * An allowed host name is trusted whatever it resolves to; an allowed address or range lets that
 * address through for any host name.
 *
 * @since 0.1.0
 * @category models
 */
export interface AllowList {
  readonly entries: ReadonlyArray<string>
  readonly allowsHost: (hostname: string) => boolean
  readonly allowsAddress: (ip: IpAddress) => boolean
}

/**
 * Builds an allow list. Throws on an entry that is neither a host name, an address nor a CIDR.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeAllowList = (entries: ReadonlyArray<string>): AllowList => {
  const hosts = new Set<string>()
  const suffixes: Array<string> = []
  const cidrs: Array<Cidr> = []
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase()
    const cidr = parseCidr(entry.startsWith("[") ? entry.replace(/^\[([^\]]*)\]/, "$1") : entry)
    if (cidr !== undefined) {
      cidrs.push(cidr)
      continue
    }
    if (entry.startsWith("*.") && /^[a-z0-9.-]+$/.test(entry.slice(2)) && entry.length > 3) {
      suffixes.push(entry.slice(1))
      continue
    }
    if (/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(entry) && !/^[0-9.]+$/.test(entry)) {
      hosts.add(normalizeHostname(entry))
      continue
    }
    throw new Error(`invalid allow-list entry ${JSON.stringify(raw)}: expected a host name, *.suffix, IP or CIDR`)
  }
  const allowsAddress = (ip: IpAddress): boolean => {
    if (cidrs.some((cidr) => inCidr(ip, cidr))) return true
    const v4 = ip.family === 6 && inCidr(ip, IPV4_MAPPED) ? embeddedV4(ip, 12) : undefined
    return v4 !== undefined && cidrs.some((cidr) => inCidr(v4, cidr))
  }
  return {
    entries,
    allowsHost: (hostname) => {
      const name = normalizeHostname(hostname)
      return hosts.has(name) || suffixes.some((suffix) => name.endsWith(suffix))
    },
    allowsAddress
  }
}

/**
 * The literal address of a URL host, if it is one (`[v6]`, a dotted quad, or any `inet_aton`
 * form).
 *
 * @since 0.1.0
 * @category parsing
 */
export const literalAddress = (hostname: string): IpAddress | undefined => {
  const name = normalizeHostname(hostname)
  return parseIPv6(name) ?? parseIPv4(name) ?? (/^[0-9a-fx.]+$/i.test(name) ? parseIPv4Loose(name) : undefined)
}
