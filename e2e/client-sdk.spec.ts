import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import {
  buildClientPackage,
  installClientPackage,
  runIntegrator,
  SANDBOX_STATUSES,
} from '../sdk/test/integrator';
import { signUp, uniqueEmail } from './helpers';

const repo = fileURLToPath(new URL('..', import.meta.url));
const sdkDir = path.join(repo, 'build/client-sdk');

/** The tarball `npm run build:client-sdk` made (the unit run builds it first in `npm test`), else built now. */
async function tarball() {
  const existing = existsSync(sdkDir) ? (await readdir(sdkDir)).find((f) => f.endsWith('.tgz')) : undefined;
  if (existing) return path.join(sdkDir, existing);
  return buildClientPackage();
}

/**
 * Issue 17 "Done when": an organisation member creates a test-mode key in the PWA; a Node script using only
 * the client package (installed from its tarball, outside the repository) books a job with it, follows the
 * simulated technician live over the WebSocket, and the integrator's endpoint receives
 * booking.status_changed webhooks through completion, marked livemode false.
 */
test('a test-mode key made in the PWA drives a sandbox job from a script using only the client package', async ({
  page,
  request,
  baseURL,
}) => {
  test.setTimeout(600_000);
  // The integrator's webhook endpoint (127.0.0.2: the server lets exactly that through, see playwright.config).
  const hooks: Array<{ type: string; livemode: boolean; data: { booking: { id: string; status: string } } }> =
    [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hooks.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.2', resolve));
  const dir = await mkdtemp(path.join(tmpdir(), 'fundi-integrator-'));
  try {
    await signUp(page, { name: 'Hotel Concierge', email: uniqueEmail('sdk'), role: 'customer' });
    await page.getByTestId('developer-link').click();
    await page.getByTestId('org-name').fill('Lagoon Hotel');
    await page.getByTestId('org-create').click();
    await expect(page.getByTestId('developer-org')).toContainText('Lagoon Hotel');
    await page.getByTestId('key-name').fill('Concierge app (sandbox)');
    await page.getByRole('checkbox', { name: 'Follow technicians live' }).check();
    await page.getByRole('checkbox', { name: 'Manage webhooks' }).check();
    await page.locator('#dev-key-test').check();
    await page.getByTestId('key-create').click();
    const secret = (await page.getByTestId('key-secret-value').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^fk_test_/);

    // The integrator registers its endpoint with the key.
    const { port } = receiver.address() as AddressInfo;
    const created = await request.post(`${baseURL}/trpc/webhook.create`, {
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      data: { url: `http://127.0.0.2:${port}/fundi`, events: ['booking.status_changed'] },
    });
    expect(created.status()).toBe(200);

    // Install the package where no server source is, and run the program.
    await installClientPackage(dir, await tarball(), 180_000);
    const result = await runIntegrator(
      dir,
      { url: baseURL!, key: secret, lat: 6.4281, lng: 3.4219, address: '12 Admiralty Way, Lekki Phase 1' },
      120_000,
    );
    expect(result.statuses).toEqual(SANDBOX_STATUSES);
    expect(result.fixes.length).toBeGreaterThan(3);
    expect(result.fixes.at(-1)!.lat).toBeCloseTo(6.4281, 5);

    await expect
      .poll(() => hooks.filter((h) => h.data.booking.id === result.id).map((h) => h.data.booking.status), {
        timeout: 30_000,
      })
      .toContain('completed');
    const mine = hooks.filter((h) => h.data.booking.id === result.id);
    expect(mine.every((h) => h.type === 'booking.status_changed' && h.livemode === false)).toBe(true);
  } finally {
    receiver.close();
    await rm(dir, { recursive: true, force: true });
  }
});
