// How load tools (npm run simulate, the rush bench) get a technician verified: the way the product
// verifies anyone (issue 13 §4), not a shortcut. The technician fills the onboarding checklist through
// the API (a profile photo, both sides of an ID with number and expiry, a zone of the market, working
// hours; their services set already; the phone item counts as done where TECHNICIAN_PHONE_REQUIRED is off,
// as these tools run), submits, and an admin approves it with admin.onboarding.decide. Afterwards the
// zone and hours are cleared again: a technician without areas or hours serves anywhere in the dispatch
// radius, at any time, which is what a simulated crowd walking around a city centre needs.
import type { createTRPCClient } from '@trpc/client';
import sharp from 'sharp';
import type { AppRouter } from '../server/trpc/root';

type Api = ReturnType<typeof createTRPCClient<AppRouter>>;

let jpeg: Promise<Buffer> | null = null;
/** A tiny JPEG (made once): what is on the photo does not matter to a load tool. */
const photo = () => {
  jpeg ??= sharp({ create: { width: 32, height: 32, channels: 3, background: '#2a7f62' } })
    .jpeg()
    .toBuffer();
  return jpeg;
};

async function upload(baseUrl: string, api: Api, kind: 'profile_photo' | 'id_document'): Promise<string> {
  const bytes = await photo();
  const slot = await api.upload.create.mutate({ kind, contentType: 'image/jpeg', size: bytes.length });
  const res = await fetch(new URL(slot.url, baseUrl), {
    method: 'PUT',
    body: new Uint8Array(bytes),
    headers: { 'content-type': 'image/jpeg' },
  });
  if (res.status !== 201) throw new Error(`upload ${kind}: HTTP ${res.status} ${await res.text()}`);
  return slot.uploadId;
}

/** `tech` (offering at least one service) becomes verified through onboarding; `admin` decides. */
export async function approveThroughOnboarding(opts: {
  baseUrl: string;
  tech: Api;
  admin: Api;
  technicianId: string;
  market: string;
  /** Distinct per technician (5 to 30 letters and digits). */
  idNumber: string;
}) {
  const { tech, admin } = opts;
  const status = await tech.onboarding.status.query();
  if (status.status === 'approved') return;
  if (status.status !== 'submitted') {
    await tech.technician.setPhoto.mutate({ uploadId: await upload(opts.baseUrl, tech, 'profile_photo') });
    await tech.onboarding.setIdDocument.mutate({
      frontUploadId: await upload(opts.baseUrl, tech, 'id_document'),
      backUploadId: await upload(opts.baseUrl, tech, 'id_document'),
      idNumber: opts.idNumber,
      expiresOn: new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10),
    });
    const [zone] = await tech.market.zones.query({ market: opts.market });
    if (!zone) throw new Error(`market ${opts.market} has no zones to pick`);
    await tech.technician.setAreas.mutate({ areas: [{ market: opts.market, zone: zone.slug }] });
    await tech.technician.setHours.mutate({
      ranges: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
    });
    await tech.onboarding.submit.mutate();
  }
  await admin.admin.onboarding.decide.mutate({
    technicianId: opts.technicianId,
    decision: 'approve',
    reasonCode: 'approved',
  });
  await tech.technician.setAreas.mutate({ areas: [] });
  await tech.technician.setHours.mutate({ ranges: [], clear: true });
}
