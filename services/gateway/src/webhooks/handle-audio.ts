import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "@postprocess/kafka";
import { webhookAudioKey } from "@postprocess/worker";
import * as Minio from "minio";
import { ApiError } from "../errors.ts";
import { sqlOn } from "../sql.ts";
import type { AudioWebhook } from "./payloads.ts";
import type { StagedAudio } from "./read-webhook-body.ts";
import { recordLatestReceipt } from "./receipts.ts";

/** What became of an audio webhook: stored (first time) or stored again over the same key (a replay). */
export interface AudioOutcome {
  status: "recorded" | "duplicate";
  key: string;
}

/**
 * Moves a verified recording from its temporary key to the conversation's deterministic one
 * (`webhookAudioKey`), where the job of the transcription webhook looks for it, whichever of the two
 * webhooks came first. A server-side copy: the new key appears whole or not at all, so storage never reads
 * half a recording; a replay overwrites it rather than adding a copy. Then the receipt (size, sha256).
 */
export async function acceptAudio(
  em: EntityManager,
  s3: Minio.Client,
  log: Logger,
  args: { accountId: string; payload: AudioWebhook; staged: StagedAudio },
): Promise<AudioOutcome> {
  const { accountId, payload, staged } = args;
  const key = webhookAudioKey(accountId, payload.data.conversation_id);
  try {
    await s3.copyObject(
      new Minio.CopySourceOptions({ Bucket: staged.bucket, Object: staged.key }),
      new Minio.CopyDestinationOptions({ Bucket: staged.bucket, Object: key }),
    );
  } catch (cause) {
    throw new ApiError("UNAVAILABLE", "the recording could not be stored; retry later", { cause });
  } finally {
    await discardStaged(s3, staged, log);
  }
  const first = await recordLatestReceipt(sqlOn(em), {
    accountId,
    type: "post_call_audio",
    conversationId: payload.data.conversation_id,
    agentId: payload.data.agent_id ?? null,
    eventTimestamp: payload.event_timestamp ?? null,
    details: { bucket: staged.bucket, key, size: staged.size, sha256: staged.sha256 },
  });
  return { status: first ? "recorded" : "duplicate", key };
}

/** Removes a staged recording (refused, or copied to its key). A failure only leaves garbage: logged. */
export async function discardStaged(s3: Minio.Client, staged: StagedAudio, log: Logger): Promise<void> {
  try {
    await s3.removeObject(staged.bucket, staged.key);
  } catch (err) {
    log.warn({ bucket: staged.bucket, key: staged.key, err }, "staged webhook audio not removed");
  }
}
