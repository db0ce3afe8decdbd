/**
 * Where an evidence quote sits in a page's text: pdf.js splits a page into text items (runs
 * of text, each a span of the text layer) whose spacing rarely matches the quote's. The
 * match ignores whitespace and case, and is mapped back to character ranges of the items,
 * which the page view wraps in `<mark>`.
 */

export interface ItemRange {
  /** The item's index in the page's text items. */
  item: number;
  start: number;
  end: number;
}

interface Indexed {
  text: string;
  /** For each character of `text`, the item and offset it came from. */
  origins: { item: number; offset: number }[];
}

function compact(items: string[]): Indexed {
  let text = "";
  const origins: Indexed["origins"] = [];
  items.forEach((item, index) => {
    for (let offset = 0; offset < item.length; offset++) {
      const char = item[offset] ?? "";
      if (/\s/.test(char)) continue;
      for (const folded of char.normalize("NFKC").toLowerCase()) {
        text += folded;
        origins.push({ item: index, offset });
      }
    }
  });
  return { text, origins };
}

/** The ranges of `items` that hold `quote`, first occurrence; `null` when it is not there. */
export function findQuote(items: string[], quote: string): ItemRange[] | null {
  const needle = compact([quote]).text;
  if (needle === "") return null;
  const haystack = compact(items);
  const at = haystack.text.indexOf(needle);
  if (at < 0) return null;
  const ranges = new Map<number, ItemRange>();
  for (const origin of haystack.origins.slice(at, at + needle.length)) {
    const range = ranges.get(origin.item);
    if (range) range.end = origin.offset + 1;
    else ranges.set(origin.item, { item: origin.item, start: origin.offset, end: origin.offset + 1 });
  }
  return [...ranges.values()];
}
