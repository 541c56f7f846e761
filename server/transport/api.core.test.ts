import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient, startTestServer, type TestServer, uniqueEmail, wsClient } from '../test/harness';
import type { AppErrorData } from '../trpc/errors';
import type { AppRouter } from '../trpc/root';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const password = 'a perfectly fine password';

async function errorOf(call: Promise<unknown>) {
  try {
    await call;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCClientError);
    const data = (e as TRPCClientError<AppRouter>).data as AppErrorData;
    return { code: data.code, appCode: data.appCode, httpStatus: data.httpStatus, data };
  }
  throw new Error('expected the call to fail');
}

describe('the public API from an outside @trpc/client', () => {
  it('signs up, signs in with a bearer token, and reads auth.me over HTTP and WebSocket', async () => {
    const anon = httpClient(server);
    const email = uniqueEmail('outside');
    const signedUp = await anon.auth.signUp.mutate({ email, password, name: 'Chidi', role: 'technician' });
    expect(signedUp.user).toMatchObject({ email, name: 'Chidi', role: 'technician', locale: 'en' });
    expect(typeof signedUp.user.createdAt).toBe('string'); // plain JSON: ISO strings, no transformer

    const { token } = await anon.auth.signIn.mutate({ email: email.toUpperCase(), password });
    expect(await httpClient(server, token).auth.me.query()).toMatchObject({ id: signedUp.user.id });
    expect(await anon.auth.me.query()).toBeNull();

    const ws = wsClient(server, token);
    try {
      expect(await ws.client.auth.me.query()).toMatchObject({ id: signedUp.user.id, role: 'technician' });
      const renamed = await ws.client.auth.updateMe.mutate({ name: 'Chidi O.' });
      expect(renamed.name).toBe('Chidi O.');
    } finally {
      ws.close();
    }
    const anonWs = wsClient(server);
    try {
      expect(await anonWs.client.auth.me.query()).toBeNull();
    } finally {
      anonWs.close();
    }
  });

  it('streams system.heartbeat events over the WebSocket', async () => {
    const ws = wsClient(server);
    const beats: string[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const sub = ws.client.system.heartbeat.subscribe(undefined, {
          onData: (d) => {
            beats.push(d.serverTime);
            if (beats.length === 3) {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        });
      });
    } finally {
      ws.close();
    }
    expect(beats.every((b) => !Number.isNaN(Date.parse(b)))).toBe(true);
  });

  it('answers UNAUTHORIZED without a valid session, on both transports', async () => {
    const http = await errorOf(httpClient(server).auth.updateMe.mutate({ name: 'x' }));
    expect(http).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'UNAUTHENTICATED', httpStatus: 401 });
    const bogus = await errorOf(httpClient(server, 'a'.repeat(32)).auth.updateMe.mutate({ name: 'x' }));
    expect(bogus).toMatchObject({ code: 'UNAUTHORIZED' });
    const ws = wsClient(server, 'b'.repeat(32));
    try {
      const overWs = await errorOf(ws.client.auth.updateMe.mutate({ name: 'x' }));
      expect(overWs).toMatchObject({ code: 'UNAUTHORIZED' });
    } finally {
      ws.close();
    }
  });

  it('answers FORBIDDEN for the wrong role', async () => {
    const { token } = await httpClient(server).auth.signUp.mutate({
      email: uniqueEmail('notadmin'),
      password,
      name: 'Bola',
      role: 'customer',
    });
    const err = await errorOf(httpClient(server, token).admin.stats.query());
    expect(err).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403, appCode: 'FORBIDDEN_ROLE' });
  });

  it('answers BAD_REQUEST with field-level errors and loses nothing', async () => {
    const err = await errorOf(
      httpClient(server).auth.signUp.mutate({
        email: 'not-an-email',
        password: 'short',
        name: '',
        role: 'admin' as 'customer',
        phone: '0801234',
      }),
    );
    expect(err).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, appCode: 'VALIDATION' });
    const fields = (err.data.zodError as { fieldErrors: Record<string, string[]> }).fieldErrors;
    expect(Object.keys(fields).sort()).toEqual(['email', 'name', 'password', 'phone', 'role']);
  });

  it('refuses admins through sign-up and duplicate e-mails with CONFLICT', async () => {
    const email = uniqueEmail('dupe');
    await httpClient(server).auth.signUp.mutate({ email, password, name: 'One', role: 'customer' });
    const dupe = await errorOf(
      httpClient(server).auth.signUp.mutate({
        email: email.toUpperCase(),
        password,
        name: 'Two',
        role: 'customer',
      }),
    );
    expect(dupe).toMatchObject({ code: 'CONFLICT', appCode: 'EMAIL_TAKEN' });
  });

  it('signs out: the token stops working', async () => {
    const { token } = await httpClient(server).auth.signUp.mutate({
      email: uniqueEmail('bye'),
      password,
      name: 'Bye',
      role: 'customer',
    });
    const client = httpClient(server, token);
    expect(await client.auth.me.query()).not.toBeNull();
    await client.auth.signOut.mutate();
    expect(await client.auth.me.query()).toBeNull();
  });
});

describe('sessions on open WebSockets', () => {
  it('closes sockets authenticated by a session when it signs out', async () => {
    const { token } = await httpClient(server).auth.signUp.mutate({
      email: uniqueEmail('wsout'),
      password,
      name: 'Ws Out',
      role: 'customer',
    });
    const other = await httpClient(server).auth.signUp.mutate({
      email: uniqueEmail('wsstay'),
      password,
      name: 'Ws Stay',
      role: 'customer',
    });
    const mine = wsClient(server, token);
    const theirs = wsClient(server, other.token);
    try {
      expect(await mine.client.auth.me.query()).not.toBeNull();
      expect(await theirs.client.auth.me.query()).not.toBeNull();
      await httpClient(server, token).auth.signOut.mutate();
      // The socket is closed by the server; the client reconnects and is now anonymous.
      await expect.poll(() => mine.client.auth.me.query(), { timeout: 5_000 }).toBeNull();
      expect(await theirs.client.auth.me.query()).not.toBeNull();
    } finally {
      mine.close();
      theirs.close();
    }
  });
});
