import { type EventOf, terminalStatuses } from "@postprocess/contracts";

type Status = EventOf<"processingStatus">["status"];
type Step = EventOf<"stepEvent">["step"];
type FileRef = EventOf<"artifactsStored">["files"][number];
type Grounded = EventOf<"summaryGenerated">["key_points"][number];
type SettingsSnapshot = NonNullable<EventOf<"conversationEnded">["settings"]>;

/** A job as the projector holds it: one `conversation_processing` row plus what it needs to merge. */
export interface JobState {
  processingId: string;
  conversationId: string;
  accountId: string;
  emailId: string;
  status: Status;
  progress: number;
  currentStep: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  totalDurationMs: number | null;
  transcriptUrl: string | null;
  audioUrl: string | null;
  reportUrl: string | null;
  summary: string | null;
  topic: string | null;
  sentiment: string | null;
  keyPoints: Grounded[] | null;
  actionItems: Grounded[] | null;
  warnings: { code: string; message: string }[];
  /** The account settings the job was accepted with (`conversation.ended`); null when none were sent. */
  settings: SettingsSnapshot | null;
  /** Files with the time of the earliest event that brought each one (its `created_at`). */
  files: (FileRef & { seenAt: string })[];
  updatedAt: string;
  version: number;
  /** Tombstones (`fileTombstone`) of objects retention deleted: absent until one is. */
  deletedFiles?: string[];
}

/** Status a step puts a job in while it runs. */
export const statusOfStep: Record<Step, Status> = {
  extract: "extracting",
  store: "storing",
  summarize: "summarizing",
  report: "generating_report",
  email: "sending_email",
};

/** Progress when a step starts and when it completes: rises monotonically through the pipeline. */
export const progressOfStep: Record<Step, { started: number; completed: number }> = {
  extract: { started: 5, completed: 20 },
  store: { started: 25, completed: 40 },
  summarize: { started: 45, completed: 65 },
  report: { started: 70, completed: 85 },
  email: { started: 90, completed: 99 },
};

const rank: Record<Status, number> = {
  pending: 0,
  extracting: 1,
  storing: 2,
  summarizing: 3,
  generating_report: 4,
  sending_email: 5,
  completed: 6,
  failed: 6,
  cancelled: 6,
  archived: 7,
};

export function isTerminal(s: Status): boolean {
  return (terminalStatuses as readonly Status[]).includes(s);
}

/** True when moving from `from` to `to` goes forward; terminal states never move (but to `archived`). */
export function movesForward(from: Status, to: Status): boolean {
  if (from === "archived") return false;
  if (isTerminal(from)) return to === "archived" && from === "completed";
  return rank[to] > rank[from];
}
