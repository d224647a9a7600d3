/** Dashboard history settings (TAKEDOWN_STATS_INTERVAL_SECONDS, TAKEDOWN_STATS_RETENTION_DAYS). */
export interface StatsConfig {
  intervalSeconds: number;
  retentionDays: number;
}

/** The env spec's default, for deps built without config.stats (tests): the reader needs the sample interval. */
export const DEFAULT_STATS_INTERVAL_SECONDS = 10;
