// Markers of the admin's live map, shared by the map (lazy chunk) and its legend (no Leaflet here).

export type OpsKind = 'available' | 'busy' | 'away' | 'waiting';
export type OpsPoint = { id: string; kind: OpsKind; lat: number; lng: number; label: string };

/** Shapes as well as colours (colour alone fails colour-blind admins): circle, square, triangle, diamond. */
const SHAPES: Record<OpsKind, string> = {
  available: '<circle cx="12" cy="12" r="8" fill="#0e7c66" stroke="#fff" stroke-width="2.5"/>',
  busy: '<rect x="4" y="4" width="16" height="16" rx="2" fill="#0b57d0" stroke="#fff" stroke-width="2.5"/>',
  away: '<path d="M12 3 L21 20 L3 20 Z" fill="#f1f3f4" stroke="#5f6368" stroke-width="2.5" stroke-linejoin="round"/>',
  waiting:
    '<path d="M12 2 L22 12 L12 22 L2 12 Z" fill="#c5221f" stroke="#fff" stroke-width="2.5" stroke-linejoin="round"/>',
};

export const shapeSvg = (kind: OpsKind, size = 24) =>
  `<svg viewBox="0 0 24 24" width="${size}" height="${size}" aria-hidden="true" focusable="false">${SHAPES[kind]}</svg>`;
