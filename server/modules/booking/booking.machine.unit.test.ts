// The booking state machine's table, tested on its own: no database, no server (issue 16 §5). The moves
// through the real service (CONFLICT on every out-of-order step, history) stay in booking.test.ts.
import { describe, expect, it } from 'vitest';
import { canTransition, transitions } from '#shared/booking';
import { bookingStatuses } from '../../contracts/booking';
import { DomainError } from '../../lib/errors';
import { assertTransition, milestoneOf } from './booking.machine';

const actors = ['customer', 'technician', 'admin', 'system'] as const;

describe('the booking state machine', () => {
  it('is a closed table: only listed (from, to, actor) moves are allowed', () => {
    let allowed = 0;
    for (const from of bookingStatuses)
      for (const to of bookingStatuses)
        for (const a of actors) {
          const listed = transitions.some((r) => r.to === to && r.from.includes(from) && r.by.includes(a));
          expect(canTransition(from, to, a)).toBe(listed);
          if (listed) allowed++;
        }
    expect(allowed).toBeGreaterThan(10);
    expect(canTransition('completed', 'cancelled', 'customer')).toBe(false);
    expect(canTransition('in_progress', 'searching', 'technician')).toBe(false);
  });

  it('lets only the technician walk the happy path, one step at a time', () => {
    const path = ['assigned', 'en_route', 'arrived', 'in_progress', 'completed'] as const;
    for (let i = 1; i < path.length; i++) {
      expect(canTransition(path[i - 1]!, path[i]!, 'technician'), `${path[i - 1]} → ${path[i]}`).toBe(true);
      expect(canTransition(path[i - 1]!, path[i]!, 'customer')).toBe(false);
      // No skipping a step.
      for (const later of path.slice(i + 1))
        expect(canTransition(path[i - 1]!, later, 'technician')).toBe(false);
    }
  });

  it('assertTransition throws CONFLICT for a move the table does not list, and passes a listed one', () => {
    expect(() => assertTransition('searching', 'cancelled', 'customer')).not.toThrow();
    let thrown: unknown;
    try {
      assertTransition('completed', 'cancelled', 'customer');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe('CONFLICT');
  });

  it('every status a move reaches with a milestone stamps its own column', () => {
    expect(Object.keys(milestoneOf).sort()).toEqual(
      ['arrived', 'assigned', 'cancelled', 'completed', 'en_route', 'in_progress'].sort(),
    );
  });
});
