/**
 * Reads the login page's QR code the way a phone's camera does: Chromium rasterizes the SVG as
 * displayed, and jsQR (a QR decoder written apart from the qrcode encoder) decodes the pixels.
 */
import jsQRModule from 'jsqr';
import type { Page } from 'playwright-core';

// jsqr is CommonJS whose module.exports is the function; its typings describe it as `default`.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

/** The text held by the page's `a.qr svg`, or undefined when no reader could decode it. */
export async function decodeQrOnPage(page: Page, selector = 'a.qr svg'): Promise<string | undefined> {
  const image = await page.locator(selector).evaluate(async (svg) => {
    const size = 400;
    const markup = new XMLSerializer().serializeToString(svg);
    const img = new Image(size, size);
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(markup)}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = size;
    canvas.height = size;
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#fff';
    context.fillRect(0, 0, size, size);
    context.drawImage(img, 0, 0, size, size);
    // As base64 rather than an array of 640 000 numbers: the protocol carries one string fast,
    // where serializing the array took over a minute on a loaded two-core machine.
    const data = context.getImageData(0, 0, size, size).data;
    let binary = '';
    for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return { width: size, height: size, base64: btoa(binary) };
  });
  return jsQR(new Uint8ClampedArray(Buffer.from(image.base64, 'base64')), image.width, image.height)?.data;
}
