/**
 * Tracked subscription events (server `tracked(id, data)`) reach the client as `{ id, data }`; plain ones
 * arrive as the value itself. Accept either, so a server switching between the two doesn't break screens.
 */
export function unwrapTracked<T>(value: { id: string; data: T } | T): T {
  if (typeof value === 'object' && value !== null && 'id' in value && 'data' in value) {
    const keys = Object.keys(value);
    if (keys.length === 2) return (value as { data: T }).data;
  }
  return value as T;
}
