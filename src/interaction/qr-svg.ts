/**
 * A QR code (ISO/IEC 18004) as a small SVG: qrcode encodes, this draws. qrcode's own SVG
 * renderer builds its path one string fragment at a time (~40 KB of garbage per code); this one
 * writes the path's ASCII into a reused buffer and makes one string of it.
 */
import { createRequire } from 'node:module';
import type QRCodeModule from 'qrcode';

/**
 * qrcode's encoder alone (lib/core/qrcode.js, the same `create` its main module re-exports): the
 * main module also loads its PNG, terminal and canvas renderers and pngjs, which nothing here
 * uses (docs/performance.md, "Memory").
 */
const QRCode = createRequire(import.meta.url)('qrcode/lib/core/qrcode.js') as Pick<typeof QRCodeModule, 'create'>;

/**
 * The data mask of every code (ISO/IEC 18004 §7.8). The encoder may use any of the eight; a
 * reader takes it from the format information. Scoring all eight for each code (qrcode's
 * default) was 85% of its cost; of 300 random wallet URLs, mask 2 had the lowest average penalty
 * score (906 against 868 for the per-code best) and the lowest worst case.
 */
export const QR_MASK_PATTERN = 2;

/** Quiet zone, in modules, around the symbol (the standard asks for 4; 2 reads fine on screens). */
const MARGIN = 2;

/** Reused between calls (the function is synchronous); grown when a larger symbol needs it. */
let scratch = Buffer.allocUnsafe(16 * 1024);

const ASCII = { M: 0x4d, h: 0x68, space: 0x20, dot: 0x2e, five: 0x35, zero: 0x30 };

export function qrCodeSvg(text: string): string {
  // One byte-mode segment: a URL needs no cheaper mode, and qrcode's search for the optimal
  // segmentation (a shortest-path over mode changes) was half the cost of each code.
  const { modules } = QRCode.create([{ data: Buffer.from(text), mode: 'byte' }], {
    errorCorrectionLevel: 'M',
    maskPattern: QR_MASK_PATTERN,
  });
  const { size, data } = modules;
  // At most size/2 runs a row of at most "M999 999.5h999" (14 bytes) each.
  const bound = size * Math.ceil(size / 2) * 14;
  if (scratch.length < bound) scratch = Buffer.allocUnsafe(bound);
  let at = 0;
  // Coordinates are below 1000 (version 40 is 177 modules wide).
  const putInt = (n: number) => {
    if (n >= 100) scratch[at++] = ASCII.zero + Math.floor(n / 100);
    if (n >= 10) scratch[at++] = ASCII.zero + (Math.floor(n / 10) % 10);
    scratch[at++] = ASCII.zero + (n % 10);
  };
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!data[row * size + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && data[row * size + col]) col++;
      // A stroke one module wide along the middle of the row: "M<x> <y>.5h<length>".
      scratch[at++] = ASCII.M;
      putInt(start + MARGIN);
      scratch[at++] = ASCII.space;
      putInt(row + MARGIN);
      scratch[at++] = ASCII.dot;
      scratch[at++] = ASCII.five;
      scratch[at++] = ASCII.h;
      putInt(col - start);
    }
  }
  const full = size + 2 * MARGIN;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" shape-rendering="crispEdges"><path fill="#ffffff" d="M0 0h${full}v${full}H0z"/><path stroke="#000000" d="${scratch.toString('latin1', 0, at)}"/></svg>`;
}
