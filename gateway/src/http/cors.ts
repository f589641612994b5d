import type { IncomingMessage, ServerResponse } from 'node:http';

const LOCALHOST_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/** Whether a browser page from `origin` may call the gateway. */
export function originAllowed(origin: string, allowed: readonly string[] | 'localhost'): boolean {
  if (allowed === 'localhost') return LOCALHOST_ORIGIN.test(origin);
  return allowed.includes('*') || allowed.includes(origin);
}

/** Adds CORS headers for an allowed Origin; returns false when the request came from a page not allowed. */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: readonly string[] | 'localhost'): boolean {
  const origin = req.headers.origin;
  res.setHeader('vary', 'Origin');
  if (!origin) return true;
  if (!originAllowed(origin, allowed)) return false;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
  res.setHeader('access-control-allow-headers', 'authorization, content-type, apollo-require-preflight');
  res.setHeader('access-control-max-age', '600');
  return true;
}
