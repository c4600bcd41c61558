// The one way the dashboard makes DOM nodes. Strings always become text nodes (never HTML): bodies, paths and
// header values come from upstream responses.

type Child = Node | string | number | null | undefined | false
type Attrs = Record<string, string | number | boolean | null | undefined>

function setAttrs (node: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue
    node.setAttribute(name, value === true ? '' : String(value))
  }
}

function append (node: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c)
  }
}

export function el<K extends keyof HTMLElementTagNameMap> (tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  setAttrs(node, attrs)
  append(node, children)
  return node
}

const SVG_NS = 'http://www.w3.org/2000/svg'

export function svg<K extends keyof SVGElementTagNameMap> (tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag)
  setAttrs(node, attrs)
  append(node, children)
  return node
}

/** Replaces every child of `node`. */
export function fill (node: Element, ...children: Child[]): void {
  node.replaceChildren()
  append(node, children)
}

export function byId<T extends HTMLElement = HTMLElement> (id: string): T {
  const node = document.getElementById(id)
  if (node === null) throw new Error(`index.html has no #${id}`)
  return node as T
}

/** Sets text only when it changed, so a live refresh does not disturb a selection in the page. */
export function setText (node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text
}
