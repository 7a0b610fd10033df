import { randomBytes } from "node:crypto";
import type { MikroORM } from "@mikro-orm/postgresql";
import type { EventOf, TopicKey } from "@postprocess/contracts";
import { createOrm, createSecretBox, migrate, newProcessingId } from "@postprocess/db";
import type { Logger } from "@postprocess/kafka";
import { test as base } from "@postprocess/testkit";
import { createS3 } from "@postprocess/worker";
import type { Hono } from "hono";
import { createApiKey } from "./api-keys/store.ts";
import { type AppOptions, createApp } from "./app.ts";
import type { AppEnv } from "./deps.ts";
import { type Sql, sqlOn } from "./sql.ts";

/** One event the app published, as the recording publisher saw it. */
export type Published = { [K in TopicKey]: { topic: K; event: EventOf<K> } }[TopicKey];

/** A gateway app, and requests to it with the fixture's API keys. */
export interface TestApp {
  app: Hono<AppEnv>;
  /** A request with the API key of account `acc_a` (or `account`, or none with `null`; an explicit
   *  Authorization header wins). */
  request(path: string, init?: RequestInit & { account?: string | null }): Promise<Response>;
  /** A JSON POST as `acc_a` (or `account`). */
  post(
    path: string,
    body: unknown,
    init?: { account?: string | null; headers?: Record<string, string> },
  ): Promise<Response>;
}

/** A gateway on a fresh, migrated database, with a recording publisher and a movable clock. */
export interface TestGateway extends TestApp {
  /**
   * Another gateway app on the same database, bucket, clock, secret box, logs and publisher (a second
   * replica), built with `overrides`: for options the fixture's app leaves at their defaults.
   */
  appWith(overrides: Partial<AppOptions>): TestApp;
  orm: MikroORM;
  sql: Sql;
  /** Every event published so far, in order. */
  published: Published[];
  /** Set to make the next publishes fail (the broker is "down"). */
  publishError: Error | undefined;
  /** Awaited inside every publish before it records: lets a test hold a publish in flight. */
  beforePublish: (() => Promise<void>) | undefined;
  /** The app's clock. */
  clock: { now: Date };
  /** Every log entry, for tests that check what was logged. */
  logs: { level: string; obj: object; msg: string }[];
  /** The plaintext API key of each account the fixture made (`acc_a`, `acc_b`, and `addAccount`'s). */
  keys: Record<string, string>;
  /** Creates an account with a key (and a rate limit, generous by default); returns the key. */
  addAccount(id: string, limits?: { perMinute: number; burst: number }): Promise<string>;
  /** Inserts a `conversation_processing` row as the projector would; returns its processing id. */
  insertJob(row: JobRow): Promise<string>;
  /** Inserts a `conversation_files` row of a job. */
  insertFile(row: FileRow): Promise<void>;
}

export interface JobRow {
  processingId?: string;
  accountId?: string;
  conversationId: string;
  status?: string;
  progress?: number;
  createdAt?: Date;
  startedAt?: Date | null;
  completedAt?: Date | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  extra?: Record<string, unknown>;
}

export interface FileRow {
  processingId: string;
  accountId?: string;
  conversationId: string;
  fileType: "transcript" | "audio" | "report" | "summary";
  fileName: string;
  minioUrl?: string | null;
}

function recordingLogger(logs: TestGateway["logs"]): Logger {
  const at = (level: string) => (obj: object, msg: string) => void logs.push({ level, obj, msg });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** `app` with requests that carry the key of the account they name (`keys` is read at request time). */
function testApp(app: Hono<AppEnv>, keys: Record<string, string>): TestApp {
  const request: TestApp["request"] = async (path, init = {}) => {
    const { account = "acc_a", ...rest } = init;
    const headers = new Headers(rest.headers);
    if (account !== null && !headers.has("authorization")) {
      const key = keys[account];
      if (!key) throw new Error(`no API key for ${account}: create it with gw.addAccount`);
      headers.set("authorization", `Bearer ${key}`);
    }
    return app.request(path, { ...rest, headers });
  };
  return {
    app,
    request,
    post: (path, body, init = {}) =>
      request(path, {
        method: "POST",
        body: typeof body === "string" ? body : JSON.stringify(body),
        headers: { "content-type": "application/json", ...init.headers },
        account: init.account === undefined ? "acc_a" : init.account,
      }),
  };
}

/** `test` with a `gw` fixture: accounts `acc_a` and `acc_b` exist, each with an API key. */
export const test = base.extend<{ gw: TestGateway }>({
  gw: async ({ databaseUrl, env, bucket }, use) => {
    const orm = createOrm({ clientUrl: databaseUrl });
    await migrate(orm);
    const sql = sqlOn(orm.em.fork());
    // Generous limits: route tests send many requests; the rate-limit tests set their own.
    await sql(
      `INSERT INTO accounts (id, name, rate_limit_per_minute, rate_limit_burst)
       VALUES ('acc_a', 'A', 100000, 10000), ('acc_b', 'B', 100000, 10000)`,
    );
    const keys: Record<string, string> = {};
    for (const account of ["acc_a", "acc_b"]) {
      keys[account] = (await createApiKey(sql, account, { name: "test", environment: "test" })).plaintext;
    }

    const logs: TestGateway["logs"] = [];
    const secrets = createSecretBox(randomBytes(32));
    const s3 = {
      client: createS3({
        endpoint: env.S3_ENDPOINT,
        region: env.S3_REGION,
        accessKey: env.S3_ACCESS_KEY,
        secretKey: env.S3_SECRET_KEY,
        defaultBucket: bucket,
      }),
      defaultBucket: bucket,
    };
    // The closures read `gw` when a request runs, after it exists.
    const appWith = (overrides: Partial<AppOptions>): TestApp =>
      testApp(
        createApp({
          orm,
          publicBaseUrl: "https://pp.example.com",
          now: () => gw.clock.now,
          log: recordingLogger(logs),
          secrets,
          s3,
          publish: async (topic, event) => {
            await gw.beforePublish?.();
            if (gw.publishError) throw gw.publishError;
            gw.published.push({ topic, event } as Published);
          },
          ...overrides,
        }),
        keys,
      );
    const gw: TestGateway = {
      ...appWith({}),
      appWith,
      orm,
      sql,
      published: [],
      publishError: undefined,
      beforePublish: undefined,
      clock: { now: new Date() },
      logs,
      keys,
      async addAccount(id, limits = { perMinute: 100_000, burst: 10_000 }) {
        await sql(
          "INSERT INTO accounts (id, name, rate_limit_per_minute, rate_limit_burst) VALUES (?, ?, ?, ?)",
          [id, id, limits.perMinute, limits.burst],
        );
        keys[id] = (await createApiKey(sql, id, { name: "test", environment: "test" })).plaintext;
        return keys[id];
      },
      async insertJob(row) {
        const processingId = row.processingId ?? newProcessingId();
        const extra = row.extra ?? {};
        const columns = [
          "processing_id",
          "account_id",
          "conversation_id",
          "email_id",
          "status",
          "progress",
          "created_at",
          "processing_started_at",
          "processing_completed_at",
          "error_code",
          "error_message",
          ...Object.keys(extra),
        ];
        await sql(
          `INSERT INTO conversation_processing (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
          [
            processingId,
            row.accountId ?? "acc_a",
            row.conversationId,
            "someone@example.com",
            row.status ?? "pending",
            row.progress ?? 0,
            row.createdAt ?? new Date(),
            row.startedAt ?? null,
            row.completedAt ?? null,
            row.errorCode ?? null,
            row.errorMessage ?? null,
            ...Object.values(extra),
          ],
        );
        return processingId;
      },
      async insertFile(row) {
        await sql(
          `INSERT INTO conversation_files (processing_id, conversation_id, account_id, file_type, file_name, minio_path, minio_url)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [
            row.processingId,
            row.conversationId,
            row.accountId ?? "acc_a",
            row.fileType,
            row.fileName,
            `${row.processingId}/${row.fileName}`,
            row.minioUrl ?? null,
          ],
        );
      },
    };
    await use(gw);
    await orm.close(true);
  },
});

/** A valid inline submission of conversation `conv_1`. */
export const inlineConversation = {
  conversation_id: "conv_1",
  email_id: "ops@example.com",
  source: {
    kind: "inline",
    agent_id: "agent_7",
    transcript: [
      { role: "agent", message: "Hello, how can I help?", time_in_call_secs: 0 },
      { role: "user", message: "My order is late.", time_in_call_secs: 2.5 },
    ],
    audio_url: "https://media.example.com/call.mp3",
  },
  labels: { team: "support" },
};

/** A response's JSON body, loosely typed: the assertions are what check its shape. */
// biome-ignore lint/suspicious/noExplicitAny: a test reads bodies it then asserts on; typing each would add nothing.
export const json = (res: Response): Promise<any> => res.json();
