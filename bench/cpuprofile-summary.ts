// Sums a V8 .cpuprofile's self time per function (and per file), hottest first.
//   node --import tsx bench/cpuprofile-summary.ts <file.cpuprofile> [top=40]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

export function summariseProfile(file: string, top = 40) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const files = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const short = url.replace(/^.*\/(node_modules\/|work\/[^/]+\/)/, '');
    const key = `${functionName || '(anonymous)'}  ${short}:${lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const f = short || functionName;
    files.set(f, (files.get(f) ?? 0) + us);
  }
  const print = (title: string, m: Map<string, number>, n: number) => {
    console.log(`\n${title}`);
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n))
      console.log(
        `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`,
      );
  };
  console.log(`sampled ${(total / 1e6).toFixed(2)} s`);
  print('self time by function', fn, top);
  print('self time by file', files, 25);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  summariseProfile(process.argv[2]!, Number(process.argv[3] ?? 40));
}
