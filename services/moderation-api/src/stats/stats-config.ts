/** Dashboard history settings (TAKEDOWN_STATS_INTERVAL_SECONDS, TAKEDOWN_STATS_RETENTION_DAYS). */
export interface StatsConfig {
  intervalSeconds: number;
  retentionDays: number;
}

export const DEFAULT_STATS_INTERVAL_SECONDS = 10;
export const DEFAULT_STATS_RETENTION_DAYS = 7;
