// What the recorder and the checkpointer thread (checkpoint-worker.ts) say to each other. Kept
// apart from the worker's script, which must only ever run as that thread.

/** What the checkpointer is started with. */
export interface CheckpointWorkerData {
  readonly dbPath: string;
  readonly busyTimeoutMs: number;
  /**
   * One Int32 the two threads share, {@link CheckpointState}: the recorder reads it after each
   * commit. A message would do, but a recorder that never idles may not read its messages for
   * minutes; a shared word is seen at once.
   */
  readonly state: SharedArrayBuffer;
}

/** Where a checkpoint stands, in {@link CheckpointWorkerData.state}. */
export const CheckpointState = { idle: 0, asked: 1, done: 2, failed: 3 } as const;

/** Messages to the checkpointer, and its answers. */
export type ToCheckpointer = 'checkpoint' | 'close';
export type FromCheckpointer = { readonly type: 'failed'; readonly message: string } | { readonly type: 'closed' };
