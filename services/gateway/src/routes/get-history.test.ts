import { newProcessingId } from "@postprocess/db";
import { describe, expect } from "vitest";
import { json, test } from "../test-gateway.ts";

const HISTORY = "/api/v1/postprocess/history";
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

describe("GET /api/v1/postprocess/history", () => {
  test("lists the account's jobs newest first, each with its own files", async ({ gw }) => {
    const old = await gw.insertJob({
      conversationId: "conv_1",
      status: "completed",
      progress: 100,
      createdAt: minutesAgo(30),
      completedAt: minutesAgo(29),
      extra: { summary_topic: "Refund" },
    });
    // The same conversation processed again: its files must not mix with the first job's.
    const again = await gw.insertJob({
      conversationId: "conv_1",
      status: "storing",
      progress: 30,
      createdAt: minutesAgo(10),
    });
    await gw.insertJob({ conversationId: "conv_x", accountId: "acc_b", createdAt: minutesAgo(5) });
    await gw.insertFile({
      processingId: old,
      conversationId: "conv_1",
      fileType: "transcript",
      fileName: "transcript.json",
      minioUrl: "https://s3/t",
    });
    await gw.insertFile({
      processingId: old,
      conversationId: "conv_1",
      fileType: "report",
      fileName: "report.pdf",
      minioUrl: "https://s3/r",
    });
    await gw.insertFile({
      processingId: again,
      conversationId: "conv_1",
      fileType: "audio",
      fileName: "audio.mp3",
    });

    const res = await gw.request(HISTORY);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toEqual({
      jobs: [
        {
          processing_id: again,
          conversation_id: "conv_1",
          status: "storing",
          progress: 30,
          created_at: expect.any(String),
          processing_completed_at: null,
          summary_topic: null,
          files: [{ file_type: "audio", file_name: "audio.mp3", minio_url: null }],
        },
        {
          processing_id: old,
          conversation_id: "conv_1",
          status: "completed",
          progress: 100,
          created_at: expect.any(String),
          processing_completed_at: expect.any(String),
          summary_topic: "Refund",
          files: [
            { file_type: "report", file_name: "report.pdf", minio_url: "https://s3/r" },
            { file_type: "transcript", file_name: "transcript.json", minio_url: "https://s3/t" },
          ],
        },
      ],
      next_cursor: null,
    });
  });

  test("lists an accepted, not yet projected job as pending", async ({ gw }) => {
    await gw.insertJob({ conversationId: "conv_1", createdAt: minutesAgo(5) });
    const { processing_id } = await json(
      await gw.post("/api/v1/postprocess/conversation", {
        conversation_id: "conv_2",
        email_id: "a@b.io",
        source: { kind: "elevenlabs" },
      }),
    );
    const { jobs } = await json(await gw.request(HISTORY));
    expect(jobs).toHaveLength(2);
    expect(jobs[0]).toMatchObject({
      processing_id,
      conversation_id: "conv_2",
      status: "pending",
      progress: 0,
      files: [],
    });
    expect(jobs[0].created_at).toBe(gw.clock.now.toISOString());
  });

  test("pages with an opaque cursor: no job twice, none skipped, ties broken by id", async ({ gw }) => {
    // Seven jobs, three of them created in the same microsecond: the cursor must still order them.
    const tie = new Date(Date.now() - 60_000);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push(await gw.insertJob({ conversationId: `c${i}`, createdAt: minutesAgo(10 + i) }));
    for (let i = 0; i < 3; i++)
      ids.push(
        await gw.insertJob({ conversationId: `t${i}`, processingId: newProcessingId(), createdAt: tie }),
      );
    // Microseconds the JS clock cannot represent: a cursor rounding them would repeat or skip rows.
    await gw.sql("UPDATE conversation_processing SET created_at = created_at + interval '123 microseconds'");

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=3&cursor=${cursor}` : "?limit=3";
      const page = await json(await gw.request(`${HISTORY}${query}`));
      expect(page.jobs.length).toBeLessThanOrEqual(3);
      seen.push(...page.jobs.map((j: { processing_id: string }) => j.processing_id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    const expected = await gw.sql<{ processing_id: string }>(
      "SELECT processing_id FROM conversation_processing ORDER BY created_at DESC, processing_id DESC",
    );
    expect(seen).toEqual(expected.map((r) => r.processing_id));
    expect(new Set(seen).size).toBe(7);
  });

  test("limit defaults to 50 and is bounded; a bad cursor is a 400", async ({ gw }) => {
    for (let i = 0; i < 51; i++) await gw.insertJob({ conversationId: `c${i}` });
    const page = await json(await gw.request(HISTORY));
    expect(page.jobs).toHaveLength(50);
    expect(page.next_cursor).toEqual(expect.any(String));

    for (const query of ["limit=0", "limit=101", "limit=abc", "limit=1.5", "cursor=garbage"]) {
      const res = await gw.request(`${HISTORY}?${query}`);
      expect(res.status, query).toBe(400);
      expect((await json(res)).error).toMatchObject({
        code: "INVALID_QUERY",
        requestId: res.headers.get("x-request-id"),
      });
    }
  });
});
