import type { EventOf } from "@postprocess/contracts";
import type { HandlerContext, Producer } from "@postprocess/kafka";
import { derivedEventId } from "@postprocess/worker";
import type { Client } from "minio";

export interface FilesExpiredDeps {
  s3: Pick<Client, "removeObject">;
  producer: Pick<Producer, "sendBatch">;
}

/** S3 answers that mean the object is already gone: deleting it again is not an error. */
const gone = new Set(["NoSuchKey", "NoSuchBucket", "NotFound"]);

/**
 * Retention: deletes the expired objects of a job from S3, then reports them on `retention.files-deleted`
 * so the projector drops their rows. Idempotent: a missing object (or bucket) counts as deleted, and the
 * output id derives from the input's, so a redelivery publishes a duplicate the projector ignores. The
 * job's state is not checked: files of a job in any state expire.
 */
export function createFilesExpiredHandler(deps: FilesExpiredDeps) {
  return async (event: EventOf<"filesExpired">, ctx: HandlerContext): Promise<void> => {
    for (const f of event.files) {
      try {
        await deps.s3.removeObject(f.bucket, f.key);
      } catch (err) {
        if (!gone.has((err as { code?: string }).code ?? "")) throw err;
      }
    }
    await deps.producer.sendBatch([
      {
        topic: "filesDeleted",
        event: {
          event_id: derivedEventId(event.event_id, "files-deleted"),
          occurred_at: new Date().toISOString(),
          processing_id: event.processing_id,
          conversation_id: event.conversation_id,
          account_id: event.account_id,
          files: event.files,
        },
      },
    ]);
    ctx.log.info({ processingId: event.processing_id, files: event.files.length }, "expired files deleted");
  };
}
