// A few regular expressions instead of an XML parser: DOMParser is missing in Node and in
// workers, and listings only need the text of a handful of flat, well-known elements.

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/** Replace XML character and entity references by the characters they stand for. */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16))
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10))
    return ENTITIES[ref] ?? whole
  })
}

/** One occurrence of an element: its attributes (raw) and its inner text (raw, not decoded). */
export interface XmlElement {
  attributes: string
  inner: string
}

/**
 * Every `<tag ...>inner</tag>` (or self-closing `<tag/>`) in `xml`, in document order. Assumes
 * the element does not nest inside itself, which holds for the listing elements we read.
 */
export function findElements(xml: string, tag: string): XmlElement[] {
  const re = new RegExp(`<${tag}(\\s[^>]*?)?(?:/>|>([\\s\\S]*?)</${tag}\\s*>)`, 'g')
  return [...xml.matchAll(re)].map((m) => ({ attributes: m[1] ?? '', inner: m[2] ?? '' }))
}

/** The decoded text of the first `<tag>` in `xml`, or undefined when there is none. */
export function firstText(xml: string, tag: string): string | undefined {
  const el = findElements(xml, tag)[0]
  return el === undefined ? undefined : decodeXmlText(stripCdata(el.inner))
}

function stripCdata(text: string): string {
  return text.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
}
