/**
 * Why a `fetch` failed, in a few words for an error message: fetch rejects with a bare "fetch failed" and
 * keeps the reason (`ECONNREFUSED`, `ENOTFOUND`, a TLS error) in `cause`.
 */
export function fetchFailureReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } } | null)?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
