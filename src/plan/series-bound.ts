/**
 * The default of `defaults.max_series`: series (tag sets) per metric before the noisiest tag is
 * capped (src/metrics/series-limit.ts). Each series holds histograms of tens of kilobytes in a
 * worker and in the coordinator: a run with 2,000 request names peaked at 363 MB and one with
 * 10,000 at 3.7 GB and 9 minutes (docs/metrics.md "Series per metric").
 */
export const DEFAULT_MAX_SERIES = 1000;
