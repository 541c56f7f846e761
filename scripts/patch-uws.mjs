// Removes uWS's `uWebSockets: 20` response header (issue 15 §1: no server banner) from the installed
// native binaries. uWS writes it unless built with UWS_HTTPRESPONSE_NO_WRITEMARK, and no uWS.js build
// that runs on this platform (Node 20, glibc 2.36) exposes a switch for it. patch-package cannot patch
// binaries, so this runs after it (npm's postinstall) and is idempotent.
//
// What it changes, per x86-64 Linux binary: at each of the (four) call sites of writeMark's
//   lea rdx,"uWebSockets" … mov esi,11 ; mov ecx,2 ; mov rdi,<res> ; call writeHeader
// the call becomes a 5-byte NOP. Nothing is patched unless the whole pattern matches exactly, the string
// it loads is "uWebSockets", and the call's result is not used; any other binary is left as it is.
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.dirname(require.resolve('uWebSockets.js/package.json'));
const NOP5 = Buffer.from([0x0f, 0x1f, 0x44, 0x00, 0x00]);
// mov esi,0xb ; mov ecx,0x2
const ARGS = Buffer.from([0xbe, 0x0b, 0x00, 0x00, 0x00, 0xb9, 0x02, 0x00, 0x00, 0x00]);
const MARK = Buffer.from('uWebSockets\0');

function patch(file) {
  const bin = readFileSync(file);
  let patched = 0;
  let already = 0;
  for (let at = bin.indexOf(ARGS); at !== -1; at = bin.indexOf(ARGS, at + 1)) {
    // lea rdx,[rip+rel32] 14 bytes before (then lea r8,[rip+rel32]); mov rdi,<reg> (3 bytes); call rel32.
    const lea = at - 14;
    if (lea < 0 || bin[lea] !== 0x48 || bin[lea + 1] !== 0x8d || bin[lea + 2] !== 0x15) continue;
    const target = lea + 7 + bin.readInt32LE(lea + 3);
    // Shared objects here map .rodata and .text at their file offsets (checked by reading the string).
    if (target < 0 || !bin.subarray(target, target + MARK.length).equals(MARK)) continue;
    const movRdi = at + ARGS.length;
    if (bin[movRdi] !== 0x48 && bin[movRdi] !== 0x4c) continue;
    if (bin[movRdi + 1] !== 0x89) continue;
    const call = movRdi + 3;
    if (bin.subarray(call, call + 5).equals(NOP5)) {
      already++;
      continue;
    }
    if (bin[call] !== 0xe8) continue;
    NOP5.copy(bin, call);
    patched++;
  }
  if (patched) {
    // A new file renamed over the old one: a process that has the old one loaded keeps its own copy.
    writeFileSync(`${file}.tmp`, bin, { mode: 0o755 });
    renameSync(`${file}.tmp`, file);
  }
  return { patched, already };
}

let total = 0;
for (const dir of ['binaries', 'dist']) {
  let names = [];
  try {
    names = readdirSync(path.join(root, dir));
  } catch {
    continue;
  }
  for (const name of names.filter((n) => /^uws_linux_x64_\d+\.node$/.test(n))) {
    const { patched, already } = patch(path.join(root, dir, name));
    total += patched + already;
    if (patched) console.log(`patch-uws: ${dir}/${name}: banner removed at ${patched} call sites`);
  }
}
if (total === 0)
  console.warn('patch-uws: no x86-64 Linux uWS binary with the banner pattern found (left as is)');
