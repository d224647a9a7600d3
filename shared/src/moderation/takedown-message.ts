import type { ModerationState } from '../domain/vocabulary';

/** What every search instance receives on the takedown channel when a decision is applied. */
export interface TakedownMessage {
  contentId: string;
  state: ModerationState;
  decisionId: string;
  /** Countries for `restricted`; empty otherwise. */
  restrictedIn: string[];
  at: string;
}
