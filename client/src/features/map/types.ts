import type { LatLng } from '../../lib/geolocation';

export type MapMarker = {
  id: string;
  position: LatLng;
  /** job: where the work is (the pin); person: a technician or "you"; area: an approximate place. */
  kind: 'job' | 'person' | 'area';
  /** Read out by screen readers and shown on hover. */
  label: string;
  /** The pin the user sets: draggable, and moved by taps on the map. */
  editable?: boolean;
};

export type MapProps = {
  /** What the map shows, for screen readers ("Map of the job location"). */
  label: string;
  center: LatLng;
  zoom?: number;
  markers: MapMarker[];
  /** Makes the map a picker: tap (or drag the editable marker) to choose a point. */
  onPick?: (position: LatLng) => void;
  /** Label of the "put the pin at the centre of the map" button (keyboard users can't tap the map). */
  pickCenterLabel?: string;
  /** Changing this recentres the map on `center` (e.g. after "Use my location"). */
  recenterKey?: number | string;
  height?: number;
};
