import { Readable } from "node:stream";

/**
 * Deterministic MP3-shaped bytes: back-to-back MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, joint stereo,
 * no CRC) whose side info and main data are zero, i.e. silence. Any size is allowed; the last frame is cut
 * short when `size` is not a multiple of the frame length. Generated on the fly, so a 200 MB recording costs
 * no memory in the fake and a client can be measured streaming it.
 */

/** `FF FB 90 64`: frame sync, MPEG-1, Layer III, no CRC, 128 kbit/s, 44.1 kHz, no padding, joint stereo. */
export const MP3_FRAME_HEADER = Buffer.from([0xff, 0xfb, 0x90, 0x64]);
/** floor(144 · 128000 / 44100) bytes per frame. */
export const MP3_FRAME_BYTES = 417;

const FRAMES_PER_CHUNK = 64;
const chunk = (() => {
  const b = Buffer.alloc(MP3_FRAME_BYTES * FRAMES_PER_CHUNK);
  for (let i = 0; i < FRAMES_PER_CHUNK; i++) MP3_FRAME_HEADER.copy(b, i * MP3_FRAME_BYTES);
  return b;
})();

/** The first `size` bytes of the silent frame sequence, streamed in ~26 KB chunks with backpressure. */
export function fakeMp3Stream(size: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) {
        this.push(null);
        return;
      }
      const n = Math.min(chunk.length, size - sent);
      sent += n;
      // Chunks are frame-aligned, so every chunk starts with a frame header; a copy keeps `chunk` immutable.
      this.push(Buffer.from(chunk.subarray(0, n)));
    },
  });
}

/** The same bytes in one buffer (small sizes: fixtures and assertions). */
export function fakeMp3(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let at = 0; at < size; at += chunk.length) chunk.copy(out, at, 0, Math.min(chunk.length, size - at));
  return out;
}
