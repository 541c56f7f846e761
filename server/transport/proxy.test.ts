import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, uniqueEmail } from '../test/harness';

/** A failed sign-in over plain HTTP from `xff` (the X-Forwarded-For header), returning the tRPC code. */
async function signInFrom(server: TestServer, xff: string) {
  const res = await fetch(`${server.url}/trpc/auth.signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': xff },
    body: JSON.stringify({ email: uniqueEmail('nobody'), password: 'not the password' }),
  });
  const body = (await res.json()) as { error?: { data?: { code?: string } } };
  return body.error?.data?.code;
}

describe('client addresses behind a load balancer', () => {
  let direct: TestServer;
  let proxied: TestServer;
  beforeAll(async () => {
    direct = await startTestServer({ AUTH_RATE_LIMIT: '2' }, { dispatch: false });
    proxied = await startTestServer({ AUTH_RATE_LIMIT: '2', TRUST_PROXY: '1' }, { dispatch: false });
  });
  afterAll(async () => {
    await direct.close();
    await proxied.close();
  });

  it('without TRUST_PROXY a forged X-Forwarded-For does not dodge the per-IP limit', async () => {
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push(await signInFrom(direct, `10.1.0.${i}`));
    expect(codes.slice(2)).toEqual(['TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
  });

  it('with TRUST_PROXY=1 each client behind the balancer has its own limit (the entry it appended)', async () => {
    // The client may send its own X-Forwarded-For; only the last entry (the balancer's) counts.
    const a = [];
    for (let i = 0; i < 3; i++) a.push(await signInFrom(proxied, `1.2.3.${i}, 10.2.0.1`));
    expect(a[2]).toBe('TOO_MANY_REQUESTS');
    expect(await signInFrom(proxied, '10.2.0.2')).toBe('UNAUTHORIZED');
  });
});
