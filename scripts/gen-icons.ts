// Renders Fundi's app icons from one SVG mark (a map pin holding a wrench) into client/public/icons/.
// The PNGs are committed, so this only needs re-running when the mark or brand colour changes:
//   node --import tsx scripts/gen-icons.ts
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const BRAND = '#0E7C66';
const outDir = fileURLToPath(new URL('../client/public/icons/', import.meta.url));

/** The mark alone, drawn in a 512×512 box; `scale` shrinks it around the centre. */
function mark(scale: number): string {
  const offset = (512 * (1 - scale)) / 2;
  return `<g transform="translate(${offset} ${offset}) scale(${scale})">
    <path fill="#fff" d="M256 64c-84 0-152 66-152 148 0 110 152 236 152 236s152-126 152-236c0-82-68-148-152-148z"/>
    <path fill="${BRAND}" transform="rotate(45 256 212) translate(256 212) scale(1.3) translate(-256 -226)"
      d="M210 140A50 50 0 0 0 244 212V300A12 12 0 0 0 268 300V212A50 50 0 0 0 302 140H272V178H240V140Z"/>
  </g>`;
}

/** `radius` rounds the background; maskable and Apple icons must be full-bleed squares (radius 0). */
function icon({ radius, scale }: { radius: number; scale: number }): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
  <title>Fundi</title>
  <rect width="512" height="512" rx="${radius}" fill="${BRAND}"/>
  ${mark(scale)}
</svg>`;
}

// Launchers may crop maskable icons to a circle of 80% of the size, so the mark stays inside ~60%.
const standard = icon({ radius: 96, scale: 0.86 });
const fullBleed = icon({ radius: 0, scale: 0.78 });
const maskable = icon({ radius: 0, scale: 0.6 });

const outputs: Array<{ file: string; svg: string; size: number }> = [
  { file: 'icon-192.png', svg: standard, size: 192 },
  { file: 'icon-512.png', svg: standard, size: 512 },
  { file: 'maskable-512.png', svg: maskable, size: 512 },
  { file: 'apple-touch-icon-180.png', svg: fullBleed, size: 180 },
  { file: 'favicon-32.png', svg: standard, size: 32 },
];

await mkdir(outDir, { recursive: true });
await writeFile(`${outDir}favicon.svg`, `${standard}\n`);
for (const { file, svg, size } of outputs) {
  const png = await sharp(Buffer.from(svg)).resize(size, size).png({ compressionLevel: 9 }).toBuffer();
  await writeFile(`${outDir}${file}`, png);
  console.log(`${file.padEnd(26)} ${size}×${size}  ${png.length} bytes`);
}
