import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import type { EventOf, TopicKey } from "@postprocess/contracts";
import type { SecretBox } from "@postprocess/db";
import type { Logger } from "@postprocess/kafka";
import type * as Minio from "minio";
import type { KeyIdentity } from "./api-keys/store.ts";
import type { WebhookLimits } from "./webhooks/read-webhook-body.ts";

/**
 * Publishes one event durably: resolves only after the broker acknowledged it (acks=all), so a resolved
 * promise means the pipeline will see the event. The gateway's only port to Kafka.
 */
export type Publish = <K extends TopicKey>(topic: K, event: EventOf<K>) => Promise<void>;

/** Everything the routes need, built by `main.ts` (or a test) and handed to `createApp`. */
export interface Deps {
  orm: MikroORM;
  publish: Publish;
  /** The clock: event times, submission times and query windows all read it, so tests can move it. */
  now: () => Date;
  log: Logger;
  /** Largest request body accepted; larger ones get 413 before they are parsed. */
  bodyLimitBytes: number;
  /** ElevenLabs webhooks have their own limits (a recording is far over bodyLimitBytes): see config.ts. */
  webhookLimits: WebhookLimits;
  /** Where clients reach this service (behind a proxy it is not the listening address): builds status URLs. */
  publicBaseUrl: string;
  /** Seals and opens stored secrets (webhook, callback and ElevenLabs credentials) under SECRETS_KEY. */
  secrets: SecretBox;
  /** Object storage: webhook audio is streamed into it, download links are presigned from it. */
  s3: { client: Minio.Client; defaultBucket: string };
  /** How long a download link of `GET …/files/:file_type` stays valid (never the S3 client's 7 days). */
  downloadUrlExpirySeconds: number;
}

/** The Hono environment: what middleware puts in `c.var` for the routes. */
export interface AppEnv {
  Variables: {
    deps: Deps;
    requestId: string;
    /** This request's unit of work (`orm.em.fork()`); never the global EntityManager. */
    em: EntityManager;
    /** The caller's account; every query is scoped to it. Set by `requireApiKey` from the key, never from the client. */
    accountId: string;
    /** The API key the caller authenticated with (`key_…`). Set by `requireApiKey`. */
    apiKeyId: string;
    /** The key's identity and its account's rate limit. Set by `requireApiKey`. */
    apiKey: KeyIdentity;
    /** When a rate-limited caller may retry (set with a 429, recorded in the usage metrics). */
    rateLimitResetAt: Date | undefined;
    /** The parsed JSON body (undefined when an optional body was empty). Set by `jsonBody`. */
    body: unknown;
  };
}
