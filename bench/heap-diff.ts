// What a heap grew by, grouped by object kind: `node --import tsx bench/heap-diff.ts before.heapsnapshot after.heapsnapshot [per]`
// (snapshots from BENCH_HEAP_SNAPSHOTS=1 npm run bench:tracking). With `per` (e.g. the number of viewers
// added in between), sizes are also shown per unit. A diagnostic, not a benchmark.
import { readFileSync } from 'node:fs';

type Snapshot = {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
};

function summarise(file: string) {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const types = s.snapshot.meta.node_types[0];
  const groups = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + typeAt!]!]!;
    const name =
      type === 'string' || type === 'concatenated string' || type === 'sliced string'
        ? ''
        : s.strings[s.nodes[i + nameAt!]!]!;
    const key = `${type}:${name.slice(0, 60)}`;
    const g = groups.get(key) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += s.nodes[i + sizeAt!]!;
    groups.set(key, g);
  }
  return groups;
}

const [beforeFile, afterFile, perArg] = process.argv.slice(2);
if (!beforeFile || !afterFile) {
  console.error('usage: heap-diff.ts before.heapsnapshot after.heapsnapshot [per]');
  process.exit(2);
}
const per = Number(perArg) || 1;
const before = summarise(beforeFile);
const after = summarise(afterFile);
const rows = [...after].map(([key, a]) => {
  const b = before.get(key) ?? { count: 0, bytes: 0 };
  return { key, count: a.count - b.count, bytes: a.bytes - b.bytes };
});
rows.sort((x, y) => y.bytes - x.bytes);
const total = rows.reduce((n, r) => n + r.bytes, 0);
console.log(
  `total growth ${(total / 1024).toFixed(0)} KiB${per > 1 ? `, ${(total / per).toFixed(0)} B per unit (${per})` : ''}`,
);
for (const r of rows.slice(0, 40))
  console.log(
    `${String(r.bytes).padStart(10)} B ${(r.bytes / per).toFixed(1).padStart(8)} B/unit ${String(r.count).padStart(8)} objects  ${r.key}`,
  );
