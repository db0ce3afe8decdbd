/**
 * The app's only way to build DOM: elements from tag, attributes and children, with every
 * string child added as a text node. Document text never goes through HTML parsing here, so
 * a field value like `<img src=x onerror=...>` is shown as the characters it is.
 */

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  /** Attributes, set with setAttribute (`class`, `aria-*`, `data-*`, ...); `false`/`null` leave one out. */
  [attribute: string]: string | number | boolean | null | undefined | EventListener;
}

/** An element `tag` with `props` (attributes, or `on<event>` listeners) and `children`. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  applyProps(element, props);
  append(element, ...children);
  return element;
}

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element, built like [`el`]. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  applyProps(element, props);
  append(element, ...children);
  return element;
}

function applyProps(element: Element, props: Props): void {
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") {
      element.addEventListener(name.replace(/^on/, ""), value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
}

/** Appends children; strings and numbers become text nodes. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}
