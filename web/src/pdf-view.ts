/**
 * One page of the source PDF drawn with pdf.js: the canvas, the text layer over it (so text
 * can be selected and found), and the evidence of a field marked on it, by the quote found
 * in the text layer, or by the evidence's box when the quote is not in the text (e.g. OCR).
 * Boxes are PDF points on the displayed page, origin top left, as docex records them.
 */

import { GlobalWorkerOptions, TextLayer, getDocument } from "pdfjs-dist";
import type { PDFDocumentProxy } from "pdfjs-dist";
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs?url";
import type { BBox } from "./api.ts";
import { el } from "./dom.ts";
import { findQuote } from "./evidence.ts";

GlobalWorkerOptions.workerSrc = workerUrl;

/** Opens a PDF from its bytes or a URL. */
export function openPdf(source: ArrayBuffer | string): Promise<PDFDocumentProxy> {
  return getDocument(typeof source === "string" ? { url: source } : { data: new Uint8Array(source) }).promise;
}

export interface Highlight {
  quote: string;
  bbox?: BBox | undefined;
}

export interface RenderedPage {
  /** Whether the quote was found in the page's text. */
  quoteFound: boolean;
}

/** Draws page `number` of `pdf` into `container` at `width` CSS pixels, marking `highlight`. */
export async function renderPage(
  pdf: PDFDocumentProxy,
  number: number,
  container: HTMLElement,
  width: number,
  highlight: Highlight | null,
): Promise<RenderedPage> {
  const page = await pdf.getPage(Math.min(Math.max(1, number), pdf.numPages));
  const scale = width / page.getViewport({ scale: 1 }).width;
  const viewport = page.getViewport({ scale });
  const ratio = window.devicePixelRatio || 1;
  const canvas = el("canvas", { "aria-hidden": "true" });
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = `${viewport.width}px`;
  canvas.style.height = `${viewport.height}px`;
  const textLayerDiv = el("div", { class: "textLayer" });
  const marks = el("div", { class: "evidence-boxes", "aria-hidden": "true" });
  const sheet = el("div", { class: "page-sheet" }, canvas, textLayerDiv, marks);
  sheet.style.setProperty("--total-scale-factor", String(scale));
  sheet.style.width = `${viewport.width}px`;
  sheet.style.height = `${viewport.height}px`;
  container.replaceChildren(sheet);

  await page.render({
    canvas,
    viewport,
    transform: ratio === 1 ? undefined : [ratio, 0, 0, ratio, 0, 0],
  }).promise;
  const textLayer = new TextLayer({ textContentSource: page.streamTextContent(), container: textLayerDiv, viewport });
  await textLayer.render();

  if (!highlight) return { quoteFound: false };
  const ranges = findQuote(textLayer.textContentItemsStr, highlight.quote);
  for (const range of ranges ?? []) {
    const span = textLayer.textDivs[range.item];
    if (span) markRange(span, range.start, range.end);
  }
  if (highlight.bbox && !ranges) {
    const { x0, y0, x1, y1 } = highlight.bbox;
    const box = el("div", { class: "evidence-box" });
    Object.assign(box.style, {
      left: `${x0 * scale}px`,
      top: `${y0 * scale}px`,
      width: `${(x1 - x0) * scale}px`,
      height: `${(y1 - y0) * scale}px`,
    });
    marks.append(box);
  }
  const marked = sheet.querySelector<HTMLElement>("mark, .evidence-box");
  if (marked) centreIn(container, sheet, marked);
  return { quoteFound: ranges !== null };
}

/** Scrolls `container` (not the window) so that `target`, somewhere on `sheet`, is in the middle. */
function centreIn(container: HTMLElement, sheet: HTMLElement, target: HTMLElement): void {
  const box = target.getBoundingClientRect();
  const origin = sheet.getBoundingClientRect();
  container.scrollTop = box.top - origin.top + box.height / 2 - container.clientHeight / 2;
  container.scrollLeft = box.left - origin.left + box.width / 2 - container.clientWidth / 2;
}

/** Wraps characters `start..end` of a text-layer span in `<mark>`, with DOM calls only. */
function markRange(span: HTMLElement, start: number, end: number): void {
  const text = span.textContent ?? "";
  const mark = el("mark", { class: "evidence" }, text.slice(start, end));
  span.replaceChildren(text.slice(0, start), mark, text.slice(end));
}
