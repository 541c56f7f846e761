import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client';
import { bookings } from '../../../db/schema';

export function createMeRepo(db: DbOrTx) {
  return {
    async parties(bookingId: string) {
      const [row] = await db
        .select({ customerId: bookings.customerId, technicianId: bookings.technicianId })
        .from(bookings)
        .where(eq(bookings.id, bookingId))
        .limit(1);
      return row;
    },
  };
}
