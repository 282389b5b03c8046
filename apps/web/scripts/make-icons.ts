/**
 * Draws the app's icons (the favicon's indigo rounded square with a white check mark) as PNG files
 * in public/icons/, with no image library and no network: `node --import tsx scripts/make-icons.ts`.
 * The output is committed; run again only when the mark changes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";

const INDIGO = [0x4f, 0x46, 0xe5] as const;
const WHITE = [0xff, 0xff, 0xff] as const;

/** CRC-32 of a PNG chunk (type and data), as the format requires. */
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(size: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // filter: none
    rows.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

type Segment = [number, number, number, number];

function distanceToSegment(px: number, py: number, [ax, ay, bx, by]: Segment): number {
  const [dx, dy] = [bx - ax, by - ay];
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/**
 * The mark on a 32-unit grid (as in index.html's favicon). `maskable` fills the whole square and
 * shrinks the check into the safe zone, since launchers crop maskable icons to their own shape.
 */
function drawIcon(size: number, maskable: boolean): Uint8Array {
  const rgba = new Uint8Array(size * size * 4);
  const unit = size / 32;
  const radius = maskable ? 0 : 8 * unit;
  const scale = maskable ? 0.7 : 1;
  const centre = 16 * unit;
  const toPixels = (v: number) => centre + (v - 16) * unit * scale;
  const check: Segment[] = [
    [9, 16.5, 13.5, 21],
    [13.5, 21, 23, 11],
  ].map(([ax = 0, ay = 0, bx = 0, by = 0]) => [
    toPixels(ax),
    toPixels(ay),
    toPixels(bx),
    toPixels(by),
  ]);
  const halfStroke = 1.6 * unit * scale;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const [px, py] = [x + 0.5, y + 0.5];
      // Coverage of the rounded square: distance outside the inner rectangle minus the radius.
      const qx = Math.max(Math.abs(px - centre) - (centre - radius), 0);
      const qy = Math.max(Math.abs(py - centre) - (centre - radius), 0);
      const outside = Math.hypot(qx, qy) - radius;
      const alpha = Math.max(0, Math.min(1, 0.5 - outside));
      const d = Math.min(...check.map((segment) => distanceToSegment(px, py, segment)));
      const ink = Math.max(0, Math.min(1, halfStroke + 0.5 - d));
      const offset = (y * size + x) * 4;
      for (let channel = 0; channel < 3; channel++) {
        const base = INDIGO[channel] ?? 0;
        const top = WHITE[channel] ?? 0;
        rgba[offset + channel] = Math.round(base + (top - base) * ink);
      }
      rgba[offset + 3] = Math.round(alpha * 255);
    }
  }
  return rgba;
}

const outDir = join(import.meta.dirname, "..", "public", "icons");
mkdirSync(outDir, { recursive: true });
const icons = [
  { name: "icon-192.png", size: 192, maskable: false },
  { name: "icon-512.png", size: 512, maskable: false },
  { name: "icon-maskable-512.png", size: 512, maskable: true },
  { name: "apple-touch-icon-180.png", size: 180, maskable: true },
];
for (const { name, size, maskable } of icons) {
  writeFileSync(join(outDir, name), encodePng(size, drawIcon(size, maskable)));
}
process.stdout.write(`wrote ${icons.length} icons to ${outDir}\n`);
