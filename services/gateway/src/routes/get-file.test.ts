import { waitFor } from "@postprocess/testkit";
import { describe, expect } from "vitest";
import { json, type TestGateway, test } from "../test-gateway.ts";

const fileUrl = (id: string, type: string, query = "") => `/api/v1/postprocess/${id}/files/${type}${query}`;

/** A job of `account` with one real S3 object as its `fileType` file, as the storage step leaves it. */
async function jobWithFile(
  gw: TestGateway,
  s3: import("minio").Client,
  bucket: string,
  opts: { account?: string; fileType?: string; name: string; bytes: Buffer; contentType: string },
) {
  const accountId = opts.account ?? "acc_a";
  const id = await gw.insertJob({ conversationId: "conv_1", accountId, status: "completed" });
  const key = `${accountId}/conv_1/${id}/${opts.name}`;
  await s3.putObject(bucket, key, opts.bytes, opts.bytes.length, { "Content-Type": opts.contentType });
  await gw.sql(
    `INSERT INTO conversation_files (processing_id, conversation_id, account_id, file_type, file_name, minio_path, content_type)
     VALUES (?, 'conv_1', ?, ?, ?, ?, ?)`,
    [id, accountId, opts.fileType ?? "report", opts.name, `${bucket}/${key}`, opts.contentType],
  );
  return { id, key };
}

describe("GET /api/v1/postprocess/:processing_id/files/:file_type", () => {
  test("redirects to a fresh presigned URL that downloads the object's bytes", async ({ gw, s3, bucket }) => {
    const bytes = Buffer.from("%PDF-1.7 a report");
    const { id } = await jobWithFile(gw, s3, bucket, {
      name: "report.pdf",
      bytes,
      contentType: "application/pdf",
    });
    const res = await gw.request(fileUrl(id, "report"));
    expect(res.status).toBe(302);
    const location = res.headers.get("location")!;
    expect(res.headers.get("cache-control")).toBe("no-store");
    // Signed for the gateway's 15 minutes, never the client's 7-day default.
    expect(new URL(location).searchParams.get("X-Amz-Expires")).toBe("900");
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
  });

  test("redirect=false answers the link as JSON; the JSON transcript is preferred", async ({
    gw,
    s3,
    bucket,
  }) => {
    const { id } = await jobWithFile(gw, s3, bucket, {
      fileType: "transcript",
      name: "transcript.json",
      bytes: Buffer.from('{"turns":[]}'),
      contentType: "application/json",
    });
    // The text transcript of the same job sorts first by name; the JSON one is still the one served.
    await gw.sql(
      `INSERT INTO conversation_files (processing_id, conversation_id, account_id, file_type, file_name, minio_path, content_type)
       VALUES (?, 'conv_1', 'acc_a', 'transcript', 'a-transcript.txt', ?, 'text/plain')`,
      [id, `${bucket}/acc_a/conv_1/${id}/a-transcript.txt`],
    );
    const res = await gw.request(fileUrl(id, "transcript", "?redirect=false"));
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toEqual({
      url: expect.stringContaining("transcript.json"),
      expires_at: new Date(gw.clock.now.getTime() + 900_000).toISOString(),
      file_name: "transcript.json",
      content_type: "application/json",
    });
    expect(await (await fetch(body.url)).text()).toBe('{"turns":[]}');
  });

  test("S3 refuses a tampered link and an expired one", async ({ gw, s3, bucket }) => {
    const mine = await jobWithFile(gw, s3, bucket, {
      name: "report.pdf",
      bytes: Buffer.from("mine"),
      contentType: "application/pdf",
    });
    const other = await jobWithFile(gw, s3, bucket, {
      account: "acc_b",
      name: "report.pdf",
      bytes: Buffer.from("theirs"),
      contentType: "application/pdf",
    });
    const link = (await json(await gw.request(fileUrl(mine.id, "report", "?redirect=false")))).url as string;
    // The signature covers the key: pointing it at another object is refused.
    const tampered = link.replace(encodeURI(mine.key), encodeURI(other.key));
    expect(tampered).not.toBe(link);
    expect((await fetch(tampered)).status).toBe(403);
    // And its expiry: stretching it is refused too.
    expect((await fetch(link.replace("X-Amz-Expires=900", "X-Amz-Expires=604800"))).status).toBe(403);

    // A link signed 16 minutes ago (the app's clock) has expired.
    gw.clock.now = new Date(Date.now() - 16 * 60_000);
    const old = (await json(await gw.request(fileUrl(mine.id, "report", "?redirect=false")))).url as string;
    expect((await fetch(old)).status).toBe(403);
    gw.clock.now = new Date();
    expect((await fetch(link)).status).toBe(200);
  });

  test("a link expires after its lifetime", async ({ gw, s3, bucket }) => {
    const { id } = await jobWithFile(gw, s3, bucket, {
      name: "report.pdf",
      bytes: Buffer.from("short-lived"),
      contentType: "application/pdf",
    });
    // Signed 897 s ago: three seconds left. Valid now, refused once they have passed.
    gw.clock.now = new Date(Date.now() - 897_000);
    const url = (await json(await gw.request(fileUrl(id, "report", "?redirect=false")))).url as string;
    expect((await fetch(url)).status).toBe(200);
    await waitFor("the link to expire (S3 answers 403)", async () => (await fetch(url)).status === 403, {
      timeoutMs: 10_000,
    });
  });

  test("another account's job, a job without that file and bad parameters are refused", async ({
    gw,
    s3,
    bucket,
  }) => {
    const theirs = await jobWithFile(gw, s3, bucket, {
      account: "acc_b",
      name: "report.pdf",
      bytes: Buffer.from("theirs"),
      contentType: "application/pdf",
    });
    for (const query of ["", "?redirect=false"]) {
      const res = await gw.request(fileUrl(theirs.id, "report", query));
      expect(res.status).toBe(404);
      expect(res.headers.get("location")).toBeNull();
      expect((await json(res)).error.code).toBe("NOT_FOUND");
    }
    expect((await gw.request(fileUrl(theirs.id, "report"), { account: "acc_b" })).status).toBe(302);

    const noAudio = await gw.request(fileUrl(theirs.id, "audio"), { account: "acc_b" });
    expect(noAudio.status).toBe(404);
    expect((await json(noAudio)).error.message).toMatch(/no audio file/);

    const badType = await gw.request(fileUrl(theirs.id, "secrets"));
    expect(badType.status).toBe(400);
    expect((await json(badType)).error).toMatchObject({
      code: "INVALID_ID",
      details: [{ path: "file_type" }],
    });
    expect((await gw.request(fileUrl("proc_nope", "report"))).status).toBe(400);
    const badQuery = await gw.request(fileUrl(theirs.id, "report", "?redirect=maybe"), { account: "acc_b" });
    expect(badQuery.status).toBe(400);
    expect((await json(badQuery)).error.code).toBe("INVALID_QUERY");
    expect((await gw.request(fileUrl(theirs.id, "report"), { account: null })).status).toBe(401);
  });
});
