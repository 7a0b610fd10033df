import { createRequire } from "node:module";

/**
 * Google's WOFF2 decoder (the `wawoff2` package: the reference C++ decoder compiled to WebAssembly). fontkit
 * reads WOFF2 but cannot subset it — it copies the transformed `glyf` bytes as they are, and the embedded
 * glyphs come out as garbage — so fallback fonts are decoded back to plain TrueType once, then parsed.
 *
 * The package's own `decompress` is async only because the WebAssembly module finishes loading
 * asynchronously; after that the decoder is synchronous, which lets text layout load a font the moment it
 * meets a character that needs it. `woff2Ready()` waits for that load once per process.
 */
interface Woff2Binding {
  calledRun?: boolean;
  onRuntimeInitialized?: () => void;
  decompress(data: Uint8Array): Uint8Array | false;
}

const binding = createRequire(import.meta.url)("wawoff2/build/decompress_binding.js") as Woff2Binding;
let ready: Promise<void> | undefined;

/** Resolves once the decoder can be used (immediately after the first time). */
export function woff2Ready(): Promise<void> {
  ready ??= binding.calledRun
    ? Promise.resolve()
    : new Promise((resolve) => {
        const previous = binding.onRuntimeInitialized;
        binding.onRuntimeInitialized = () => {
          previous?.();
          resolve();
        };
      });
  return ready;
}

/** The TrueType font inside a WOFF2 file. Only after `woff2Ready()` has resolved. */
export function decodeWoff2(data: Uint8Array): Buffer {
  if (!binding.calledRun) throw new Error("the WOFF2 decoder is not loaded yet (await woff2Ready())");
  const ttf = binding.decompress(data);
  if (ttf === false) throw new Error("not a valid WOFF2 font");
  // The result is a view into the WebAssembly memory, which the next call overwrites: copy it out.
  return Buffer.from(ttf);
}
