/**
 * The one copy of a string V8 keeps in its string table (the copy it uses for property names).
 *
 * Hot path (issue 15 §7): a live fix looks its technician up in about twenty Maps, and in the fan-out
 * benchmark those lookups were the largest single item of the server's own CPU beyond the uWS floor
 * (`perf` on the fan-out window: `FindOrderedHashMapEntry` ~7 % of the server, its time in loading the
 * stored key to compare it). A Map compares a key it holds with the one asked for by pointer first; ids
 * read from different database rows, messages and sessions are different objects with the same text,
 * so every lookup read the stored key's text too: a cache miss each time over a thousand technicians.
 * Ids that go into the live path's Maps, and the signed-in user's id they are looked up by, are interned
 * once where they enter (a session read, a booking row, the index), never per fix.
 */
export function intern(s: string): string {
  // A computed property name is internalised; for…in hands back the table's copy.
  const o: Record<string, true> = { [s]: true };
  for (const k in o) return k;
  return s;
}
