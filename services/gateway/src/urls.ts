/** The absolute status URL of a job, under the public base URL (which may carry a path prefix). */
export function statusUrl(publicBaseUrl: string, processingId: string): string {
  return `${publicBaseUrl.replace(/\/+$/, "")}/api/v1/postprocess/status/${processingId}`;
}
