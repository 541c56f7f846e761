import type { LatLng } from '../../lib/geolocation';

export type MapMarker = {
  id: string;
  position: LatLng;
  /**
   * job: where the work is (the pin); person: a technician or "you"; area: an approximate place;
   * technician: the live technician on the way; cell: a count of technicians around a spot.
   */
  kind: 'job' | 'person' | 'area' | 'technician' | 'cell';
  /** Read out by screen readers and shown on hover. */
  label: string;
  /** The pin the user sets: draggable, and moved by taps on the map. */
  editable?: boolean;
  /** Glide to a new position (~1 s) instead of jumping; ignored with prefers-reduced-motion. */
  animate?: boolean;
  /** Short text drawn on the marker (a count). */
  text?: string;
  /** Dimmed: a position that is no longer current ("last seen …"). */
  faded?: boolean;
  /** Exposed on the marker's element (tests). */
  testId?: string;
};

export type MapProps = {
  /** What the map shows, for screen readers ("Map of the job location"). */
  label: string;
  center: LatLng;
  zoom?: number;
  markers: MapMarker[];
  /** A route drawn as a line (the technician's trail so far). */
  path?: LatLng[];
  /**
   * Marker ids kept in view: the map fits them as they move, until the user pans the map themselves.
   */
  follow?: string[];
  /** Makes the map a picker: tap (or drag the editable marker) to choose a point. */
  onPick?: (position: LatLng) => void;
  /** Label of the "put the pin at the centre of the map" button (keyboard users can't tap the map). */
  pickCenterLabel?: string;
  /** Changing this recentres the map on `center` (e.g. after "Use my location"). */
  recenterKey?: number | string;
  height?: number;
};
