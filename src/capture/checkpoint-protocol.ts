// What the recorder and the checkpointer thread (checkpoint-worker.ts) say to each other. Kept
// apart from the worker's script, which must only ever run as that thread.

/** What the checkpointer is started with. */
export interface CheckpointWorkerData {
  readonly dbPath: string;
  readonly busyTimeoutMs: number;
  /**
   * Two Int32s the two threads share: at {@link STATE}, where a checkpoint stands ({@link
   * CheckpointState}), which the recorder reads after each commit; at {@link COMMITS}, how many
   * commits the recorder has made, which the checkpointer waits on. A message would do for the
   * first, but a recorder that never idles may not read its messages for minutes; a shared word is
   * seen at once.
   */
  readonly state: SharedArrayBuffer;
}

/** Indexes into {@link CheckpointWorkerData.state}. */
export const STATE = 0;
export const COMMITS = 1;

/** Where a checkpoint stands, at {@link STATE}. */
export const CheckpointState = { idle: 0, asked: 1, failed: 2, closing: 3 } as const;

/** Messages to the checkpointer, and its answers. */
export type ToCheckpointer = 'checkpoint' | 'close';
export type FromCheckpointer = { readonly type: 'failed'; readonly message: string } | { readonly type: 'closed' };
