/**
 * Estimated time of arrival from a straight-line distance. One module so a routing engine can replace it.
 * Streets are not straight: a detour factor of 1.4 is typical for dense cities like Lagos and Cairo.
 */
export const DETOUR_FACTOR = 1.4;
/** ~18 km/h: a realistic average for a motorbike or car in Lagos/Cairo traffic. */
export const URBAN_SPEED_MPS = 5;

export function etaSeconds(distanceMeters: number, speedMps: number = URBAN_SPEED_MPS): number {
  const speed = Number.isFinite(speedMps) && speedMps > 0.5 ? speedMps : URBAN_SPEED_MPS;
  return Math.round((distanceMeters * DETOUR_FACTOR) / speed);
}
