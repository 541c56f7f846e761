import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer, openOfferOf, serviceId, sleep, technician } from '../../test/fixtures';
import { httpClient, startTestServer, type TestServer } from '../../test/harness';

/** Issue 13 §2: technicians serve only where their areas cover the job (no fallback market here). */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ MARKET_FALLBACK: '' }, { isolated: true });
});
afterAll(() => server.close());
const svc = () => server.services;

// Yaba and Ikeja, about 9 km apart in Lagos.
const yaba = { lat: 6.5095, lng: 3.3711 };
const ikeja = { lat: 6.6018, lng: 3.3515 };
const square = (c: { lat: number; lng: number }, d: number): Array<[number, number]> => [
  [c.lng - d, c.lat - d],
  [c.lng + d, c.lat - d],
  [c.lng + d, c.lat + d],
  [c.lng - d, c.lat + d],
];

describe('service areas', () => {
  it('lists a market’s zones; a technician picks one or draws one; bad shapes are refused and nothing is written', async () => {
    const api = httpClient(server);
    const zones = await api.market.zones.query({ market: 'lagos' });
    expect(zones.map((z) => z.slug)).toEqual(
      expect.arrayContaining(['yaba', 'ikeja', 'lekki', 'victoria-island']),
    );
    const t = await technician(svc(), yaba);
    const mine = httpClient(server, t.token);
    const set = await mine.technician.setAreas.mutate({
      areas: [
        { market: 'lagos', zone: 'yaba' },
        { name: 'Around the office', polygon: square(ikeja, 0.01) },
      ],
    });
    expect(set.map((a) => a.zone)).toEqual(['yaba', null]);
    // A picked zone is named in both languages (the Arabic app shows يابا); a drawn one as typed.
    expect(set.map((a) => a.localName)).toEqual([
      { en: 'Yaba', ar: 'يابا' },
      { en: 'Around the office', ar: 'Around the office' },
    ]);
    const bowtie: Array<[number, number]> = [
      [3.37, 6.5],
      [3.39, 6.52],
      [3.39, 6.5],
      [3.37, 6.52],
    ];
    const refused = [
      { area: { name: 'Self-crossing', polygon: bowtie }, reason: 'invalid' },
      { area: { name: 'In the sea', polygon: square({ lat: 6.0, lng: 3.4 }, 0.01) }, reason: 'outside' },
      {
        // Inside Cairo, but ~2,400 km².
        area: {
          name: 'Most of Cairo',
          polygon: [
            [30.95, 29.9],
            [31.6, 29.85],
            [31.7, 30.05],
            [31.55, 30.22],
            [31.12, 30.22],
            [30.92, 30.05],
          ] as Array<[number, number]>,
        },
        reason: 'too_large',
      },
      { area: { market: 'lagos', zone: 'atlantis' }, reason: 'zone' },
    ];
    // Each refusal names its reason as a code (the app words it in the user's language), and which area.
    for (const { area, reason } of refused) {
      const e = await mine.technician.setAreas
        .mutate({ areas: [{ market: 'lagos', zone: 'yaba' }, area] })
        .catch((error: { data: { code: string; appCode: string; details: unknown } }) => error.data);
      expect(e).toMatchObject({ code: 'BAD_REQUEST', appCode: 'VALIDATION', details: { index: 1, reason } });
    }
    expect(await mine.technician.areas.query()).toHaveLength(2); // the refused replacements changed nothing
    await svc().technicians.setOnline(t.user.id, { online: false }); // out of the next test's way
  });

  it('the nearest technician is not offered a job outside their areas; one whose area covers it is, though farther', async () => {
    const nearYaba = { lat: yaba.lat + 0.001, lng: yaba.lng };
    const ikejaOnly = await technician(svc(), nearYaba, { name: 'Ikeja only' });
    await httpClient(server, ikejaOnly.token).technician.setAreas.mutate({
      areas: [{ market: 'lagos', zone: 'ikeja' }],
    });
    const yabaToo = await technician(svc(), { lat: yaba.lat + 0.02, lng: yaba.lng }, { name: 'Yaba' });
    await httpClient(server, yabaToo.token).technician.setAreas.mutate({
      areas: [{ market: 'lagos', zone: 'yaba' }],
    });
    await sleep(100);
    const c = await customer(svc());
    const quote = await svc().bookings.quote({ serviceId: await serviceId(svc()), ...yaba });
    expect(quote.availableTechnicians).toBeGreaterThanOrEqual(1);
    const b = await svc().bookings.create(c.user, {
      serviceId: await serviceId(svc()),
      ...yaba,
      address: '5 Commercial Avenue, Yaba',
      idempotencyKey: randomUUID(),
    });
    expect((await openOfferOf(svc(), b.id)).technicianId).toBe(yabaToo.user.id);
  });
});
