// The PWA's HTTP link splits what it batches before the server's limits: batches over 50 calls are a 400
// and this uWS build drops header blocks over ~4 KB, so a screen that asks for many things at once must
// never send either.
import { createTRPCClient } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppRouter } from '../../../server/trpc/root';
import { httpLink } from './httpLink';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A stand-in for the server's batch endpoint: records each request and answers every call in it. */
function stubServer() {
  const urls: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string | URL) => {
      const url = String(input);
      urls.push(url);
      const paths = decodeURIComponent(
        new URL(url, 'http://localhost').pathname.slice('/trpc/'.length),
      ).split(',');
      const body = paths.map(() => ({ result: { data: null } }));
      return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    }),
  );
  return urls;
}

describe('httpLink', () => {
  it('splits 120 calls made in one tick into batches of at most 50', async () => {
    const urls = stubServer();
    const client = createTRPCClient<AppRouter>({ links: [httpLink()] });
    await Promise.all(Array.from({ length: 120 }, () => client.auth.me.query()));
    expect(urls.length).toBeGreaterThanOrEqual(3);
    for (const url of urls) {
      const count = new URL(url, 'http://localhost').pathname.split(',').length;
      expect(count).toBeLessThanOrEqual(50);
    }
  });

  it('keeps every request URL well under uWS’s ~4 KB header block when inputs are long', async () => {
    const urls = stubServer();
    const client = createTRPCClient<AppRouter>({ links: [httpLink()] });
    const q = 'x'.repeat(600);
    await Promise.all(
      Array.from({ length: 12 }, () => client.technician.search.query({ lat: 6.5, lng: 3.4, q })),
    );
    expect(urls.length).toBeGreaterThan(1);
    for (const url of urls) expect(url.length).toBeLessThanOrEqual(2500);
  });
});
