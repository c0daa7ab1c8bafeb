/**
 * The studio's access checks, as Jupyter's: a random token printed in the URL that every request
 * must carry (query, header or the cookie the first page load sets), an Origin that is the studio
 * itself (another site's page cannot drive it), and a Host header naming the studio (a DNS
 * rebinding attack reaches 127.0.0.1 under a foreign name).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_HEADER = 'x-digitnet-token';
export const TOKEN_COOKIE = 'digitnet_token';
export const TOKEN_QUERY = 'token';

export function newToken(): string {
  return randomBytes(24).toString('hex');
}

export interface AccessRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface AccessPolicy {
  readonly token: string;
  /** host:port spellings that name this studio. */
  readonly hosts: ReadonlySet<string>;
}

/** The host:port names the studio answers to: the bound host, and the loopback names when bound to loopback or all interfaces. */
export function studioHosts(host: string, port: number): Set<string> {
  const names = new Set<string>([host]);
  const loopback = ['127.0.0.1', 'localhost', '::1', '[::1]'];
  if (loopback.includes(host) || host === '0.0.0.0' || host === '::') for (const name of loopback) names.add(name);
  const hosts = new Set<string>();
  for (const name of names) {
    const bracketed = name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
    hosts.add(`${bracketed}:${port}`.toLowerCase());
  }
  return hosts;
}

function header(request: AccessRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function cookieToken(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return rest.join('=');
  }
  return undefined;
}

export function queryToken(url: string): string | undefined {
  const query = url.indexOf('?');
  if (query < 0) return undefined;
  return new URLSearchParams(url.slice(query + 1)).get(TOKEN_QUERY) ?? undefined;
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why the request is refused (one sentence), or null when it may pass. */
export function refusal(request: AccessRequest, policy: AccessPolicy): string | null {
  const host = header(request, 'host')?.toLowerCase();
  if (!host || !policy.hosts.has(host)) {
    return `Host ${JSON.stringify(host ?? '')} is not this studio's address (${[...policy.hosts].join(', ')}).`;
  }
  const origin = header(request, 'origin');
  if (origin !== undefined && origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      return `Origin ${JSON.stringify(origin)} is not a URL.`;
    }
    if (!policy.hosts.has(originHost)) return `Origin ${JSON.stringify(origin)} is another site; only the studio's own page may call it.`;
  } else if (origin === 'null') {
    return 'Origin "null" (a sandboxed or file page) may not call the studio.';
  }
  const token = queryToken(request.url) ?? header(request, TOKEN_HEADER) ?? cookieToken(header(request, 'cookie'));
  if (!sameToken(token, policy.token)) return 'The request has no valid token: open the URL the studio printed, with its ?token=.';
  return null;
}
