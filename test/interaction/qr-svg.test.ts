/**
 * The QR drawing: every dark module of the encoded symbol, and nothing else, is drawn, for
 * many random wallet URLs (decoding by a real reader is the browser test's part).
 */
import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { QR_MASK_PATTERN, qrCodeSvg } from '../../src/interaction/qr-svg.js';

/** The modules an SVG of qrCodeSvg's shape paints dark, as "row,col" strings, and its size. */
function paintedModules(svg: string): { cells: Set<string>; viewBox: number } {
  const viewBox = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  const d = /<path stroke="#000000" d="([^"]*)"\/>/.exec(svg)?.[1] ?? '';
  const cells = new Set<string>();
  for (const [, x, y, length] of d.matchAll(/M(\d+) (\d+(?:\.5)?)h(\d+)/g)) {
    for (let i = 0; i < Number(length); i++) cells.add(`${Number(y) - 0.5 - 2},${Number(x) + i - 2}`);
  }
  return { cells, viewBox };
}

describe('QR code SVG', () => {
  it('draws exactly the dark modules of the symbol qrcode encodes, with a 2-module quiet zone', () => {
    // 50 wallet URLs, then two long texts (large symbols: the drawing buffer grows).
    const texts = Array.from({ length: 50 }, () => `https://accounts.example.com/w/${randomBytes(24).toString('base64url')}`);
    texts.push(randomBytes(600).toString('base64url'), randomBytes(1500).toString('base64url'));
    for (const url of texts) {
      const { modules } = QRCode.create([{ data: Buffer.from(url), mode: 'byte' }], {
        errorCorrectionLevel: 'M',
        maskPattern: QR_MASK_PATTERN,
      });
      const expected = new Set<string>();
      for (let row = 0; row < modules.size; row++) {
        for (let col = 0; col < modules.size; col++) if (modules.get(row, col)) expected.add(`${row},${col}`);
      }
      const { cells, viewBox } = paintedModules(qrCodeSvg(url));
      expect(viewBox).toBe(modules.size + 4);
      expect(cells).toEqual(expected);
    }
  });
});
