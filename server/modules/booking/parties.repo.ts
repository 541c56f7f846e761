import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client';
import { bookings } from '../../../db/schema';

/** Who is on a booking and where it stands: what chat, reviews and others authorise with. */
export type BookingParties = Pick<
  typeof bookings.$inferSelect,
  'id' | 'customerId' | 'technicianId' | 'status' | 'completedAt'
>;

export async function bookingParties(db: DbOrTx, id: string): Promise<BookingParties | undefined> {
  const [row] = await db
    .select({
      id: bookings.id,
      customerId: bookings.customerId,
      technicianId: bookings.technicianId,
      status: bookings.status,
      completedAt: bookings.completedAt,
    })
    .from(bookings)
    .where(eq(bookings.id, id))
    .limit(1);
  return row;
}
