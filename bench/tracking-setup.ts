// Test data for the live-tracking benchmark, written straight into the throw-away database before any
// server starts (so each server's tracking pipeline loads it on start): verified online technicians
// with services and sessions, and customers whose on-demand booking is `en_route` with one of them.
// Plain SQL in bulk: signing up thousands of accounts through the API would mostly benchmark argon2.
import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import { prng } from '../server/lib/prng';
import { generateSessionToken, sessionIdFromToken } from '../server/modules/auth/session';

export type Point = { lat: number; lng: number };
export type SeededTechnician = { id: string; token: string; at: Point };
export type SeededJob = {
  technician: SeededTechnician;
  bookingId: string;
  customerToken: string;
  /** Where the customer waits (the booking's location). */
  target: Point;
};

export { prng };

/** A random point within `radiusMeters` of `centre` (uniform over the disc). */
export function randomPoint(centre: Point, radiusMeters: number, rand: () => number): Point {
  const r = Math.sqrt(rand()) * radiusMeters;
  const a = rand() * 2 * Math.PI;
  const dLat = (r * Math.sin(a)) / 111_320;
  const dLng = (r * Math.cos(a)) / (111_320 * Math.cos((centre.lat * Math.PI) / 180));
  return { lat: centre.lat + dLat, lng: centre.lng + dLng };
}

const json = (rows: unknown[]) => JSON.stringify(rows);

async function insertUsers(
  sql: postgres.Sql,
  rows: Array<{ id: string; email: string; name: string; role: 'customer' | 'technician' }>,
) {
  // No usable password: these accounts only ever authenticate with the session made below.
  await sql`
    INSERT INTO users (id, email, password_hash, name, role)
    SELECT x.id, x.email, 'bench-account-no-password', x.name, x.role::user_role
    FROM jsonb_to_recordset(${json(rows)}::text::jsonb) AS x(id uuid, email text, name text, role text)`;
}

async function insertSessions(sql: postgres.Sql, userIds: string[]): Promise<string[]> {
  const tokens = userIds.map(() => generateSessionToken());
  const rows = userIds.map((userId, i) => ({ id: sessionIdFromToken(tokens[i]!), user_id: userId }));
  // 30 days ahead: validation never renews (a write) during the benchmark.
  await sql`
    INSERT INTO sessions (id, user_id, expires_at)
    SELECT x.id, x.user_id, now() + interval '30 days'
    FROM jsonb_to_recordset(${json(rows)}::text::jsonb) AS x(id text, user_id uuid)`;
  return tokens;
}

export async function serviceIds(sql: postgres.Sql, market = 'lagos') {
  return (
    await sql<Array<{ id: string; base_price: number; currency: string }>>`
      SELECT id, base_price, currency FROM services WHERE market = ${market} ORDER BY sort_order, slug`
  ).map((r) => ({ id: r.id, basePrice: Number(r.base_price), currency: r.currency }));
}

/** `count` verified, online technicians around `centre`, each offering two services, each with a session. */
export async function seedTechnicians(
  sql: postgres.Sql,
  opts: { count: number; tag: string; centre: Point; radiusMeters: number; seed: number },
): Promise<SeededTechnician[]> {
  const rand = prng(opts.seed);
  const services = await serviceIds(sql);
  const techs = Array.from({ length: opts.count }, (_, i) => ({
    id: randomUUID(),
    email: `bench-${opts.tag}-${i}@bench.fundi.app`,
    name: `Bench ${opts.tag} ${i}`,
    role: 'technician' as const,
    at: randomPoint(opts.centre, opts.radiusMeters, rand),
  }));
  for (let i = 0; i < techs.length; i += 5_000) {
    const chunk = techs.slice(i, i + 5_000);
    await insertUsers(sql, chunk);
    await sql`
      INSERT INTO technician_profiles (user_id, verification, online, location, location_accuracy, location_at)
      SELECT x.id, 'verified', true, ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326)::geography, 10,
             now() - interval '1 minute'
      FROM jsonb_to_recordset(${json(chunk.map((t) => ({ id: t.id, lat: t.at.lat, lng: t.at.lng })))}::text::jsonb)
        AS x(id uuid, lat float8, lng float8)`;
    const offered = chunk.flatMap((t, k) => {
      const a = (i + k) % services.length;
      const b = (i + k + 3) % services.length;
      return [
        { technician_id: t.id, service_id: services[a]!.id },
        { technician_id: t.id, service_id: services[b]!.id },
      ];
    });
    await sql`
      INSERT INTO technician_services (technician_id, service_id)
      SELECT x.technician_id, x.service_id
      FROM jsonb_to_recordset(${json(offered)}::text::jsonb) AS x(technician_id uuid, service_id uuid)
      ON CONFLICT DO NOTHING`;
  }
  const tokens = await insertSessions(
    sql,
    techs.map((t) => t.id),
  );
  return techs.map((t, i) => ({ id: t.id, token: tokens[i]!, at: t.at }));
}

/**
 * One customer per technician with an on-demand booking `en_route` with that technician (the schema
 * allows one active on-demand job per technician), so the customer may `tracking.watch` it.
 */
export async function seedJobs(
  sql: postgres.Sql,
  technicians: SeededTechnician[],
  opts: { tag: string; seed: number },
): Promise<SeededJob[]> {
  const rand = prng(opts.seed);
  const [service] = await serviceIds(sql);
  if (!service) throw new Error('no services: seed the catalog first');
  const customers = technicians.map((_, i) => ({
    id: randomUUID(),
    email: `bench-${opts.tag}-customer-${i}@bench.fundi.app`,
    name: `Bench customer ${i}`,
    role: 'customer' as const,
  }));
  await insertUsers(sql, customers);
  const tokens = await insertSessions(
    sql,
    customers.map((c) => c.id),
  );
  const commission = Math.round(service.basePrice * 0.15);
  const jobs = technicians.map((t, i) => ({
    id: randomUUID(),
    customer_id: customers[i]!.id,
    technician_id: t.id,
    target: randomPoint(t.at, 3_000, rand),
  }));
  await sql`
    INSERT INTO bookings (id, customer_id, service_id, technician_id, status, location, address, currency,
                          price_base, price_surcharge, price_total, commission, technician_earnings,
                          idempotency_key, request_hash, assigned_at, en_route_at)
    SELECT x.id, x.customer_id, ${service.id}, x.technician_id, 'en_route',
           ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326)::geography, 'Bench street 1', ${service.currency},
           ${service.basePrice}, 0, ${service.basePrice}, ${commission}, ${service.basePrice - commission},
           x.id::text, 'bench', now(), now()
    FROM jsonb_to_recordset(${json(
      jobs.map((j) => ({
        id: j.id,
        customer_id: j.customer_id,
        technician_id: j.technician_id,
        lat: j.target.lat,
        lng: j.target.lng,
      })),
    )}::text::jsonb) AS x(id uuid, customer_id uuid, technician_id uuid, lat float8, lng float8)`;
  return jobs.map((j, i) => ({
    technician: technicians[i]!,
    bookingId: j.id,
    customerToken: tokens[i]!,
    target: j.target,
  }));
}
