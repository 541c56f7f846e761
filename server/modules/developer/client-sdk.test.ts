// Issue 17 "Done when": the client package, built from the repo and installed where none of the server's
// sources are, books a job in test mode from a plain Node script, follows the simulated technician live
// over the WebSocket, and the integrator's endpoint receives booking.status_changed through completion.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { closeFundiClient, createFundiClient } from '../../../sdk/src/index';
import {
  buildClientPackage,
  installClientPackage,
  runIntegrator,
  SANDBOX_STATUSES,
} from '../../../sdk/test/integrator';
import type { WebhookPayload } from '../../contracts/developer';
import { customer, serviceId, uniqueSpot, until } from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer } from '../../test/harness';
import { startWebhookReceiver } from '../../test/standins/webhook-receiver';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../..', import.meta.url));

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let dir: string;
beforeAll(async () => {
  server = await startTestServer(
    { WEBHOOK_ALLOW_ADDRESSES: '127.0.0.2', SANDBOX_ACCEPT_MS: '500', SANDBOX_STEP_MS: '200' },
    { isolated: true },
  );
  receiver = await startWebhookReceiver();
  dir = await mkdtemp(path.join(tmpdir(), 'fundi-sdk-'));
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** And what a TypeScript integrator gets: the router's types, checked by tsc with no server source. */
const TYPED = `
import { closeFundiClient, createFundiClient } from '@fundi/client';

const fundi = createFundiClient({ baseUrl: 'http://localhost:3000', apiKey: 'fk_test_x' });
export async function typed() {
  const b = await fundi.booking.create.mutate({
    serviceId: 's', lat: 1, lng: 2, address: 'a', idempotencyKey: 'k',
    siteContact: { name: 'n', phone: '+2348031234567' },
  });
  const status: 'searching' | 'assigned' | 'en_route' | 'arrived' | 'in_progress' | 'completed'
    | 'cancelled' | 'unfulfilled' | 'disputed' = b.status;
  // @ts-expect-error: lat is a number
  await fundi.booking.create.mutate({ serviceId: 's', lat: 'x', lng: 2, address: 'a', idempotencyKey: 'k' });
  // @ts-expect-error: no such procedure
  await fundi.booking.nope.query();
  fundi.tracking.watch.subscribe({ bookingId: b.id }, { onData: (e) => { const lat: number = e.data.lat; void lat; } });
  await closeFundiClient(fundi);
  return status;
}
`;

describe('the client package (npm run build:client-sdk)', () => {
  it('installed alone, it books in test mode, follows the simulated technician live and gets the webhooks through completion', async () => {
    // Build, as an integrator's CI would get it.
    await installClientPackage(dir, await buildClientPackage());

    // The types: tsc in the install directory, outside the repository (no server source reachable).
    await writeFile(path.join(dir, 'typed.ts'), TYPED);
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2023', 'dom', 'esnext.disposable'],
          types: [],
        },
        files: ['typed.ts'],
      }),
    );
    await run('node', [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir });

    // An organisation with a test-mode key and a webhook endpoint.
    const owner = await customer(server.services, 'Integrator');
    const person = httpClient(server, owner.token);
    await person.org.create.mutate({ name: `Integrator ${randomUUID().slice(0, 6)}` });
    const { secret } = await person.apiKey.create.mutate({
      name: 'sandbox',
      mode: 'test',
      scopes: ['bookings:read', 'bookings:write', 'tracking:read', 'webhooks:manage'],
    });
    expect(secret).toMatch(/^fk_test_/);
    await httpClient(server, secret).webhook.create.mutate({
      url: receiver.url,
      events: ['booking.status_changed'],
    });

    // The integrator's script: Node, only the package (Node 20 has its WebSocket behind a flag).
    const spot = uniqueSpot();
    const result = await runIntegrator(
      dir,
      {
        url: server.url,
        key: secret,
        serviceId: await serviceId(server.services),
        lat: spot.lat,
        lng: spot.lng,
        address: '3 Integration Road',
      },
      90_000,
    );
    expect(result.statuses).toEqual(SANDBOX_STATUSES);
    // Live over the WebSocket: the drive, ending at the pin.
    expect(result.fixes.length).toBeGreaterThan(3);
    expect(result.fixes.at(-1)!.lat).toBeCloseTo(spot.lat, 5);
    expect(result.fixes.at(-1)!.lng).toBeCloseTo(spot.lng, 5);

    // The endpoint got every status change, test-mode flagged.
    const hooks = await until(async () => {
      const h = receiver.received
        .map(
          (r) => JSON.parse(r.body) as WebhookPayload & { data: { booking: { id: string; status: string } } },
        )
        .filter((p) => p.data.booking.id === result.id);
      return h.some((p) => p.data.booking.status === 'completed') && h;
    }, 15_000);
    expect(hooks.every((h) => h.type === 'booking.status_changed' && h.livemode === false)).toBe(true);
    expect(new Set(hooks.map((h) => h.data.booking.status))).toEqual(
      new Set(['assigned', 'en_route', 'arrived', 'in_progress', 'completed']),
    );
  }, 600_000);

  it('a dropped WebSocket reconnects and every subscription resumes from its last event (lastEventId): no status is missed', async () => {
    const proxy = await tcpProxy(Number(new URL(server.url).port));
    const owner = await customer(server.services, 'Reconnecting');
    const person = httpClient(server, owner.token);
    await person.org.create.mutate({ name: `Reconnect ${randomUUID().slice(0, 6)}` });
    const { secret } = await person.apiKey.create.mutate({
      name: 'sandbox',
      mode: 'test',
      scopes: ['bookings:read', 'bookings:write'],
    });
    const fundi = createFundiClient({
      baseUrl: proxy.url,
      apiKey: secret,
      WebSocket,
      retryDelayMs: () => 100,
    });
    try {
      const booking = await fundi.booking.create.mutate({
        serviceId: await serviceId(server.services),
        ...uniqueSpot(),
        address: '4 Flaky Network Lane',
        siteContact: { name: 'Front desk', phone: '+2348031234567' },
        idempotencyKey: randomUUID(),
      });
      const statuses: string[] = [];
      let cut = false;
      await new Promise<void>((resolve, reject) => {
        fundi.booking.events.subscribe(
          { id: booking.id },
          {
            onData: ({ data }) => {
              // Each event is one change (a replayed one carries the booking as it is now).
              const to = data.change?.to ?? data.booking.status;
              statuses.push(to);
              // Once assigned, the network drops for longer than the drive: en_route and arrived happen
              // while the client is away.
              if (to === 'assigned' && !cut) {
                cut = true;
                proxy.cut(3_500);
              }
              if (to === 'completed') resolve();
            },
            onError: reject,
          },
        );
      });
      expect(proxy.cuts()).toBeGreaterThan(0);
      expect(statuses).toEqual(['searching', 'assigned', 'en_route', 'arrived', 'in_progress', 'completed']);
    } finally {
      await closeFundiClient(fundi);
      await proxy.close();
    }
  }, 60_000);
});

/** A TCP proxy in front of the server whose connections can be cut (and refused for a while). */
async function tcpProxy(target: number) {
  const open = new Set<Socket>();
  let refuseUntil = 0;
  let cuts = 0;
  const srv = createServer((client) => {
    if (Date.now() < refuseUntil) {
      client.destroy();
      return;
    }
    const upstream = netConnect(target, '127.0.0.1');
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('error', end);
      s.on('close', end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    cut(ms: number) {
      cuts++;
      refuseUntil = Date.now() + ms;
      for (const s of open) s.destroy();
    },
    cuts: () => cuts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        srv.close(() => resolve());
      }),
  };
}
