/**
 * The image formats OCR accepts, recognised by their bytes rather than by a name or a header a
 * sender chose, with the dimensions their headers declare (checked before a decoder allocates them).
 * Only these bytes ever reach tesseract: given anything else, it reads the file as a list of
 * image paths or URLs to open.
 */

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

export interface ImageFormat {
  type: ImageType;
  width: number;
  height: number;
}

/** File name extension tesseract's decoder expects for each type. */
export const IMAGE_EXTENSIONS: Record<ImageType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** The format and declared size of an image, or undefined when the bytes are none of IMAGE_TYPES. */
export function sniffImage(bytes: Uint8Array): ImageFormat | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (at: number, text: string) =>
    bytes.length >= at + text.length && [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));
  if (ascii(0, '\x89PNG\r\n\x1a\n') && ascii(12, 'IHDR') && bytes.length >= 24) {
    return { type: 'image/png', width: view.getUint32(16), height: view.getUint32(20) };
  }
  if ((ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) && bytes.length >= 10) {
    return { type: 'image/gif', width: view.getUint16(6, true), height: view.getUint16(8, true) };
  }
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return webp(bytes, view, ascii);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpeg(bytes, view);
  return undefined;
}

function webp(bytes: Uint8Array, view: DataView, ascii: (at: number, text: string) => boolean): ImageFormat | undefined {
  const type = 'image/webp';
  if (ascii(12, 'VP8 ') && bytes.length >= 30 && bytes[23] === 0x9d && bytes[24] === 0x01 && bytes[25] === 0x2a) {
    return { type, width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  if (ascii(12, 'VP8L') && bytes.length >= 25 && bytes[20] === 0x2f) {
    const bits = view.getUint32(21, true);
    return { type, width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (ascii(12, 'VP8X') && bytes.length >= 30) {
    const uint24 = (at: number) => bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
    return { type, width: uint24(24) + 1, height: uint24(27) + 1 };
  }
  return undefined;
}

/** Walks the JPEG markers to the first start-of-frame, which holds the size. */
function jpeg(bytes: Uint8Array, view: DataView): ImageFormat | undefined {
  let at = 2;
  while (at + 9 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    // Markers without a length: TEM and the restart markers.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    // SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { type: 'image/jpeg', height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // image data or end before any frame header
    at += 2 + view.getUint16(at + 2);
  }
  return undefined;
}
