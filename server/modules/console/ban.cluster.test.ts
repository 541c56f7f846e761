import { describe, expect, it } from 'vitest';
import { openAuthedSocket, twoNodes } from '../../test/cluster';
import { codeOf } from '../../test/fixtures';
import { httpClient, uniqueEmail } from '../../test/harness';

/**
 * A ban made on one node ends the user's sockets on the others at once: two real nodes in this process
 * on one PostgreSQL database and a real Redis (the session cache of each node is dropped over the bus).
 */
const { a: A, b: B } = twoNodes(['ban-a', 'ban-b']);

describe('a ban across nodes', () => {
  it('closes the user’s sockets on both nodes within a second; both nodes refuse the token at once', async () => {
    const adminEmail = uniqueEmail('admin');
    await A().services.auth.ensureAdmin(adminEmail, 'cluster admin password 2026');
    const admin = await httpClient(A()).auth.signIn.mutate({
      email: adminEmail,
      password: 'cluster admin password 2026',
    });
    const email = uniqueEmail('cust');
    const user = await httpClient(B()).auth.signUp.mutate({
      email,
      password: 'customer password 1',
      name: 'Banned Across Nodes',
      role: 'customer',
    });
    // Warm both nodes' session caches, and a socket on each.
    expect(await httpClient(A(), user.token).auth.me.query()).toMatchObject({ id: user.user.id });
    expect(await httpClient(B(), user.token).auth.me.query()).toMatchObject({ id: user.user.id });
    const onA = await openAuthedSocket(A(), user.token, 'auth.me', null);
    const onB = await openAuthedSocket(B(), user.token, 'auth.me', null);

    const started = Date.now();
    await httpClient(A(), admin.token).admin.users.ban.mutate({ id: user.user.id, reason: 'cluster test' });
    // Measured to the moment each socket closed (the ban's answer itself also carries the user's file).
    for (const socket of [onA, onB]) {
      const { code, at } = await socket.closed;
      expect(code).toBe(4401);
      expect(at - started).toBeLessThan(1_000);
      console.log(`ban → socket closed after ${at - started} ms`);
    }
    expect(await httpClient(B(), user.token).auth.me.query()).toBeNull();
    expect(await httpClient(A(), user.token).auth.me.query()).toBeNull();
    expect(await codeOf(httpClient(B()).auth.signIn.mutate({ email, password: 'customer password 1' }))).toBe(
      'FORBIDDEN',
    );
  }, 60_000);
});
