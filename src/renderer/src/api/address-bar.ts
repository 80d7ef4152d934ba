import { TOKEN_PARAM } from '../../../shared/socket-protocol'

/** Drops ?token= from the address bar once the page has loaded: the cookie holds it now. */
export function removeTokenFromAddressBar(
  location: Pick<Location, 'href'>,
  history: Pick<History, 'replaceState' | 'state'>,
): void {
  const url = new URL(location.href)
  if (!url.searchParams.has(TOKEN_PARAM)) return
  url.searchParams.delete(TOKEN_PARAM)
  history.replaceState(history.state, '', url.pathname + url.search + url.hash)
}
