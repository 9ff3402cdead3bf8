/** An event as stored in the outbox and delivered to subscribers. */
export interface StoredEvent<P extends Record<string, unknown> = Record<string, unknown>> {
  /** Global order of recording. */
  seq: number;
  id: string;
  type: string;
  tenantId: string | null;
  userId: number | null;
  /** What the event is about (a task id, a conversation id…). */
  subjectId: string | null;
  /** 1, 2, 3… per subject: gap-free, so a subscriber can tell when it missed one. */
  subjectSeq: number | null;
  payload: P;
  createdAt: number;
}

export interface NewEvent {
  type: string;
  tenantId: string | null;
  userId: number | null;
  subjectId?: string;
  /**
   * The subject's sequence number when the caller knows it (a subject's first event is
   * 1), saving the lookup of the last one.
   */
  subjectSeq?: number;
  payload: Record<string, unknown>;
}

export interface EventFilter {
  tenantId?: string;
  userId?: number;
  subjectId?: string;
  /** Exact types, or prefixes ending in '.' ('task.' matches every task event). */
  types?: string[];
}

export const EVENTS_CHANNEL = 'tasklane_events';
