// Public surface of metrics/: the counters the pipeline keeps, the scrape-time reads and Prometheus' text format.
export { type CounterDelta, countRows, labelsKey, mergeDeltas } from "./counter-deltas.js";
export { EXPOSITION_CONTENT_TYPE, type MetricFamily, type Sample, escapeHelp, escapeLabelValue, formatValue, renderExposition } from "./exposition.js";
export { MAX_COUNTER_ROWS, type MetricsInput, type PartitionMetricsInput, metricFamilies, readControlCounters } from "./metrics-reader.js";
export { type MetricType, type SeriesSpec } from "./series.js";
export { FLUSH_INTERVAL_MS, countCommand, countError, flushRequestCounters } from "./request-counters.js";
