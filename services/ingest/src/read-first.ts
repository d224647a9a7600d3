/**
 * Whether to read a post before writing it. A new post needs no read: it is
 * written with `create`, and if it turns out to exist (or a placeholder
 * holds its decision), that write fails with a conflict and the item is read
 * and written again. That saves a round trip per bulk for an indexer
 * writing new posts, and costs one failed write per post for one re-indexing
 * old ones, so the choice follows what recent writes found: a moving
 * average of how often a post already existed.
 */
export class ReadFirst {
  private existing = 0;

  constructor(
    /** Read first once more than this share of recent writes found the post there. */
    private readonly threshold = 0.5,
    /** Weight of each new observation. */
    private readonly alpha = 0.02,
  ) {}

  get shouldRead(): boolean {
    return this.existing > this.threshold;
  }

  record(existed: boolean): void {
    this.existing += this.alpha * ((existed ? 1 : 0) - this.existing);
  }
}
