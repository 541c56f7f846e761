import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlCharacterPath } from '../contracts/text';
import { codeOf, customer, serviceId, technician, uniqueSpot } from '../test/fixtures';
import { httpClient, startTestServer, type TestServer, uniqueEmail } from '../test/harness';
import { publicProcedure } from './procedures';
import { appRouter } from './root';

/** Issue 15 §4: bad input is a 400 (or a no-op), never a 500. */
let server: TestServer;
let adminToken: string;
beforeAll(async () => {
  server = await startTestServer();
  const email = uniqueEmail('admin');
  await server.services.auth.ensureAdmin(email, 'admin password 15');
  adminToken = (await server.services.auth.signIn({ email, password: 'admin password 15' }, '127.0.0.1'))
    .token;
});
afterAll(() => server.close());

const NUL = 'a\u0000b';

describe('control characters', () => {
  it('refuses a NUL in every text field with BAD_REQUEST, not a database error', async () => {
    const anon = httpClient(server);
    expect(
      await codeOf(
        anon.auth.signUp.mutate({
          email: uniqueEmail('nul'),
          password: 'nul password 1',
          name: NUL,
          role: 'customer',
        }),
      ),
    ).toBe('BAD_REQUEST');

    const c = await customer(server.services);
    const api = httpClient(server, c.token);
    expect(await codeOf(api.auth.updateMe.mutate({ name: NUL }))).toBe('BAD_REQUEST');
    const sid = await serviceId(server.services);
    const base = { serviceId: sid, ...uniqueSpot(), address: '1 Allen Avenue', idempotencyKey: randomUUID() };
    for (const input of [
      { ...base, address: `12 ${NUL} Street` },
      { ...base, addressDetails: NUL },
      { ...base, notes: NUL },
      { ...base, idempotencyKey: `key-${NUL}-0001` },
    ]) {
      expect(await codeOf(api.booking.create.mutate(input))).toBe('BAD_REQUEST');
    }
    const booking = await api.booking.create.mutate(base);
    expect(await codeOf(api.booking.cancel.mutate({ id: booking.id, reason: NUL }))).toBe('BAD_REQUEST');

    const t = await technician(server.services, uniqueSpot());
    expect(await codeOf(httpClient(server, t.token).technician.updateProfile.mutate({ bio: NUL }))).toBe(
      'BAD_REQUEST',
    );
    const admin = httpClient(server, adminToken);
    expect(
      await codeOf(
        admin.admin.technicians.setVerification.mutate({
          technicianId: t.user.id,
          status: 'verified',
          note: NUL,
        }),
      ),
    ).toBe('BAD_REQUEST');
  });

  it('refuses a NUL in a text field that has no rule of its own (a drawn area name), whatever the procedure', async () => {
    // Near the test technicians (uniqueSpot counts as Lagos here): a valid 1 km square.
    const t = await technician(server.services, { lat: 6.5095, lng: 3.3711 });
    const api = httpClient(server, t.token);
    const square: Array<[number, number]> = [
      [3.3611, 6.4995],
      [3.3811, 6.4995],
      [3.3811, 6.5195],
      [3.3611, 6.5195],
    ];
    expect(await codeOf(api.technician.setAreas.mutate({ areas: [{ name: NUL, polygon: square }] }))).toBe(
      'BAD_REQUEST',
    );
    // Any control character but tab and line breaks, anywhere in any input (nested, in a key too).
    expect(
      await codeOf(api.technician.setAreas.mutate({ areas: [{ name: 'Esc\u001b[2J', polygon: square }] })),
    ).toBe('BAD_REQUEST');
    expect(
      await codeOf(
        api.technician.setAreas.mutate({ areas: [{ name: 'ok', polygon: square, [`k${NUL}`]: 1 } as never] }),
      ),
    ).toBe('BAD_REQUEST');
    expect(
      (await api.technician.setAreas.mutate({ areas: [{ name: 'Office', polygon: square }] })).length,
    ).toBe(1);
  });

  it('every procedure runs the control-character check before its own input schema', () => {
    type Def = { _def: { middlewares: unknown[] } };
    const guard = (publicProcedure as unknown as Def)._def.middlewares[0];
    const procedures = Object.entries(
      (appRouter as unknown as { _def: { procedures: Record<string, Def> } })._def.procedures,
    );
    expect(procedures.length).toBeGreaterThan(100);
    expect(procedures.filter(([, p]) => p._def.middlewares[0] !== guard).map(([path]) => path)).toEqual([]);
    expect(controlCharacterPath({ a: [{ b: 'ok\n\t\r' }] })).toBeNull();
    expect(controlCharacterPath({ a: [{ b: 'x', c: ['y', NUL] }] })).toEqual(['a', 0, 'c', 1]);
    expect(controlCharacterPath('\u007f')).toEqual([]);
  });

  it('keeps line breaks and tabs where text is multi-line, and refuses them in single-line fields', async () => {
    const t = await technician(server.services, uniqueSpot());
    const api = httpClient(server, t.token);
    const bio = 'Plumber.\n\tTen years in Surulere.';
    expect((await api.technician.updateProfile.mutate({ bio })).bio).toBe(bio);
    expect(await codeOf(api.auth.updateMe.mutate({ name: 'Two\nLines' }))).toBe('BAD_REQUEST');
    expect(await codeOf(api.auth.updateMe.mutate({ name: 'Bell\u0007' }))).toBe('BAD_REQUEST');
  });
});

describe('empty updates', () => {
  it('auth.updateMe({}) and technician.updateProfile({}) change nothing and answer the current state', async () => {
    const c = await customer(server.services, 'Unchanged Name');
    expect((await httpClient(server, c.token).auth.updateMe.mutate({})).name).toBe('Unchanged Name');
    const t = await technician(server.services, uniqueSpot());
    const api = httpClient(server, t.token);
    await api.technician.updateProfile.mutate({ bio: 'Kept' });
    expect((await api.technician.updateProfile.mutate({})).bio).toBe('Kept');
  });
});

describe('cursors', () => {
  const forged = [
    Buffer.from(`2026-01-01T00:00:00.000Z|${'f'.repeat(36)}`).toString('base64url'),
    Buffer.from(`+275760-09-13T00:00:00.000Z|${randomUUID()}`).toString('base64url'),
    Buffer.from(`2026-02-30T00:00:00.000Z|${randomUUID()}`).toString('base64url'),
    Buffer.from(`2026-01-01T00:00:00.000Z|${randomUUID()}|extra`).toString('base64url'),
    Buffer.from(`2026-01-01|${randomUUID()}`).toString('base64url'),
    'not a cursor at all!',
  ];

  it('answers forged cursors with BAD_REQUEST', async () => {
    const c = await customer(server.services);
    const api = httpClient(server, c.token);
    const admin = httpClient(server, adminToken);
    for (const cursor of forged) {
      expect(await codeOf(api.booking.list.query({ cursor }))).toBe('BAD_REQUEST');
      expect(await codeOf(admin.admin.technicians.list.query({ cursor }))).toBe('BAD_REQUEST');
    }
    // A real one still works.
    expect((await api.booking.list.query({ limit: 1 })).items).toEqual([]);
  });

  it('answers forged review, favourite and search cursors with BAD_REQUEST (one validation for all cursors)', async () => {
    const c = await customer(server.services);
    const api = httpClient(server, c.token);
    const spot = uniqueSpot();
    const t = await technician(server.services, spot);
    const micros = [
      Buffer.from(`2026-02-30T00:00:00.000000Z|${randomUUID()}`).toString('base64url'),
      Buffer.from(`2026-01-01T24:00:00.000000Z|${randomUUID()}`).toString('base64url'),
      Buffer.from(`2026-01-01T00:00:00.000000Z|${'-'.repeat(36)}`).toString('base64url'),
    ];
    for (const cursor of [...forged, ...micros]) {
      expect(await codeOf(api.review.list.query({ technicianId: t.user.id, cursor }))).toBe('BAD_REQUEST');
      expect(await codeOf(api.favorite.list.query({ cursor }))).toBe('BAD_REQUEST');
    }
    const searchCursor = (c: object) => Buffer.from(JSON.stringify(c)).toString('base64url');
    for (const cursor of [
      searchCursor({ s: 'distance', a: '1', b: '0', i: '-'.repeat(36) }),
      searchCursor({ s: 'distance', a: '1', b: '0', i: 'f'.repeat(36) }),
      searchCursor({ s: 'distance', a: '1', b: '0', i: randomUUID().toUpperCase() }),
    ]) {
      expect(await codeOf(api.technician.search.query({ ...spot, sort: 'distance', cursor }))).toBe(
        'BAD_REQUEST',
      );
    }
    // Real ones still work.
    const real = Buffer.from(`2026-01-01T00:00:00.000000Z|${randomUUID()}`).toString('base64url');
    expect((await api.review.list.query({ technicianId: t.user.id, cursor: real })).items).toEqual([]);
    const ok = searchCursor({ s: 'distance', a: '1', b: '0', i: randomUUID() });
    expect(await codeOf(api.technician.search.query({ ...spot, sort: 'distance', cursor: ok }))).toBe('OK');
  });
});

describe('technician.setServices', () => {
  it('survives 40 concurrent calls: no 500s, and the list is one of the lists sent', async () => {
    const t = await technician(server.services, uniqueSpot());
    const api = httpClient(server, t.token);
    const ids = await Promise.all(
      ['shoe-shine', 'shoe-repair', 'leak-repair', 'drain-unblocking'].map((s) =>
        serviceId(server.services, s),
      ),
    );
    const lists = Array.from({ length: 40 }, (_, i) =>
      ids.filter((_, j) => (i >> j) & 1 || j === i % ids.length).map((id) => ({ serviceId: id })),
    );
    const codes = await Promise.all(
      lists.map((services) => codeOf(api.technician.setServices.mutate({ services }))),
    );
    expect(codes.filter((c) => c !== 'OK')).toEqual([]);
    const final = (await api.technician.me.query()).services.map((s) => s.serviceId).sort();
    expect(
      lists.map((l) =>
        l
          .map((s) => s.serviceId)
          .sort()
          .join(),
      ),
    ).toContain(final.join());
  });
});
