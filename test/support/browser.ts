/**
 * A small cookie-keeping HTTP client that behaves like a browser for the parts the server
 * sees: cookies by path, redirects, form posts. Used where a real Chromium is not needed.
 */
export interface Cookie {
  name: string;
  value: string;
  path: string;
}

export interface Page {
  status: number;
  url: string;
  headers: Headers;
  body: string;
}

export class HttpBrowser {
  readonly cookies = new Map<string, Cookie>();

  constructor(readonly origin: string) {}

  protected store(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      let path = '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key, val = ''] = attribute.split('=');
        if (key!.toLowerCase() === 'path') path = val;
        if (key!.toLowerCase() === 'expires' && Date.parse(val) < Date.now()) expired = true;
        if (key!.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
      }
      const key = `${name};${path}`;
      if (expired || value === '') this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  cookieHeader(url: URL): string {
    return [...this.cookies.values()]
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  /** One request, no redirect following. */
  async request(
    url: string,
    init: { method?: string; form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const target = new URL(url, this.origin);
    const headers: Record<string, string> = { accept: 'text/html', ...init.headers };
    const cookie = target.origin === new URL(this.origin).origin ? this.cookieHeader(target) : '';
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    const page = await this.send(target, init.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body);
    this.store(page.headers);
    return page;
  }

  /** The transport: one HTTP exchange, no redirect following. */
  protected async send(target: URL, method: string, headers: Record<string, string>, body: string | undefined): Promise<Page> {
    const response = await fetch(target, { method, headers, body, redirect: 'manual' });
    return { status: response.status, url: target.href, headers: response.headers, body: await response.text() };
  }

  /**
   * Follows redirects within the origin until a page, or until a Location outside it
   * (the relying party's redirect_uri), which is returned as `url` with status 302/303.
   */
  async navigate(url: string, init: Parameters<HttpBrowser['request']>[1] = {}, stopAt?: string): Promise<Page> {
    let page = await this.request(url, init);
    for (let hops = 0; hops < 20 && page.status >= 300 && page.status < 400; hops += 1) {
      const location = new URL(page.headers.get('location')!, page.url).href;
      if (stopAt && location.startsWith(stopAt)) return { ...page, url: location };
      page = await this.request(location);
    }
    return page;
  }
}

/** The text content of the element with this id (our pages are simple and escaped by EJS). */
export function elementText(html: string, id: string): string | undefined {
  const match = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(html);
  return match ? decodeEntities(match[1]!.trim()) : undefined;
}

export function inputValue(html: string, name: string): string | undefined {
  const match = new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html);
  return match ? decodeEntities(match[1]!) : undefined;
}

export function formAction(html: string, endsWith: string): string | undefined {
  const match = new RegExp(`action="([^"]*${endsWith})"`).exec(html);
  return match ? decodeEntities(match[1]!) : undefined;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#34;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
