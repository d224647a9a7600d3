import type { ModerationState } from '../domain/vocabulary';

/** What every search instance receives on the takedown channel when a decision is applied (a removal or restriction: as it is applied, before the content write). */
export interface TakedownMessage {
  contentId: string;
  state: ModerationState;
  decisionId: string;
  /** Countries for `restricted`; empty otherwise. */
  restrictedIn: string[];
  at: string;
  /**
   * The decision's sequence number within its case, when it has one: a
   * search instance drops its entry once Elasticsearch shows this decision
   * or a later one (a removal published before its write, then superseded).
   */
  decisionSeq?: number;
}
