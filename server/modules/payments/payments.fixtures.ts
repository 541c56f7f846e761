import type { Services } from '../../services';
import { assignedBooking } from '../../test/fixtures';

/** A booking run to `completed` through the real booking service (fixtures + the technician's steps). */
export async function completedBooking(services: Services, opts: Parameters<typeof assignedBooking>[1] = {}) {
  const a = await assignedBooking(services, opts);
  await arriveAndStart(services, a);
  await services.bookings.advance(a.booking.id, a.technician.user, 'completed');
  return a;
}

export async function arriveAndStart(services: Services, a: Awaited<ReturnType<typeof assignedBooking>>) {
  const tech = a.technician.user;
  await services.bookings.advance(a.booking.id, tech, 'en_route');
  await services.bookings.advance(a.booking.id, tech, 'arrived', { confirmFar: true });
  await services.bookings.advance(a.booking.id, tech, 'in_progress');
}
