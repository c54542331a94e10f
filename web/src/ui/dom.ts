/** What an element may contain: nodes, text, or nothing (skipped, so conditions read inline). */
export type Child = Node | string | null | undefined | false

/** Attributes and event handlers of an element made by h(). */
export type Attributes = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>

/**
 * Makes an element: `on*` keys add event listeners, `true` sets an empty attribute, `false`,
 * `null` and `undefined` leave it out. Enough DOM building for views of a few dozen elements.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value)
    else if (value === true) element.setAttribute(name, '')
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, String(value))
  }
  element.append(...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false))
  return element
}

/** Replaces an element's content. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false))
}

/** Undoes what a view set up (listeners, subscriptions, timers). */
export type Cleanup = () => void
