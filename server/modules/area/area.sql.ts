import { sql } from 'drizzle-orm';
import type { LngLat } from '../../../db/schema/columns';

/**
 * SQL fragments of the area module that other modules' repos put in their queries (dispatch's and
 * search's candidates). Expects the technician's profile as `tp`.
 */

/**
 * Their service areas cover the point (issue 13 §2); a technician with no areas serves anywhere within
 * the radius. `ST_Covers` on the areas' GiST index.
 */
export const servesAt = (at: LngLat) => sql`(
  NOT EXISTS (SELECT 1 FROM technician_areas ta WHERE ta.technician_id = tp.user_id)
  OR EXISTS (SELECT 1 FROM technician_areas ta WHERE ta.technician_id = tp.user_id
             AND ST_Covers(ta.area, ST_SetSRID(ST_MakePoint(${at.lng}, ${at.lat}), 4326))))`;
