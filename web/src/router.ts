/**
 * Hash routes (`#/`, `#/d/{docId}`, `#/invite/{token}`): links work on Firebase Hosting and
 * on the Hosting emulator without rewrites, and a reload stays on the same page.
 */
export type Route = { name: 'list' } | { name: 'doc'; docId: string } | { name: 'invite'; token: string } | { name: 'not-found'; path: string }

/** The route a location hash names. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/'
  if (path === '/') return { name: 'list' }
  const doc = /^\/d\/([^/]+)$/.exec(path)
  if (doc) return { name: 'doc', docId: decodeURIComponent(doc[1]!) }
  const invite = /^\/invite\/([^/]+)$/.exec(path)
  if (invite) return { name: 'invite', token: decodeURIComponent(invite[1]!) }
  return { name: 'not-found', path }
}

/** The hash of a route, for links. */
export function href(route: Route): string {
  switch (route.name) {
    case 'list':
      return '#/'
    case 'doc':
      return `#/d/${encodeURIComponent(route.docId)}`
    case 'invite':
      return `#/invite/${encodeURIComponent(route.token)}`
    case 'not-found':
      return `#${route.path}`
  }
}

/** Goes to a route (a hashchange follows, which renders it). */
export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const target = href(route)
  if (options.replace) {
    history.replaceState(null, '', target)
    window.dispatchEvent(new HashChangeEvent('hashchange'))
  } else {
    location.hash = target
  }
}
