import { customType, timestamp } from 'drizzle-orm/pg-core';

// Declared in shared/ so that API types naming it (an admin's view of a row) need no database code.
import type { LngLat } from '#shared/geo';

export type { LngLat };

/**
 * WGS84 `geography(Point,4326)`: distances come out in metres.
 * Written as EWKT, read back as EWKB hex (what both postgres.js and PGlite return for geography).
 */
export const geographyPoint = customType<{ data: LngLat; driverData: string }>({
  dataType() {
    return 'geography(Point,4326)';
  },
  toDriver(p) {
    return `SRID=4326;POINT(${p.lng} ${p.lat})`;
  },
  fromDriver(hex) {
    return parsePointEwkbHex(hex);
  },
});

/** Parses a little/big-endian (E)WKB point in hex, with or without an SRID. */
export function parsePointEwkbHex(hex: string): LngLat {
  const buf = Buffer.from(hex, 'hex');
  const le = buf.readUInt8(0) === 1;
  const type = le ? buf.readUInt32LE(1) : buf.readUInt32BE(1);
  const hasSrid = (type & 0x20000000) !== 0;
  const offset = hasSrid ? 9 : 5;
  const lng = le ? buf.readDoubleLE(offset) : buf.readDoubleBE(offset);
  const lat = le ? buf.readDoubleLE(offset + 8) : buf.readDoubleBE(offset + 8);
  return { lng, lat };
}

export const createdAt = () =>
  timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
export const updatedAt = () =>
  timestamp('updated_at', { withTimezone: true, mode: 'date' })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());
