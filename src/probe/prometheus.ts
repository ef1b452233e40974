/** Reading Prometheus text: the sum of a metric's samples, with or without a `_total` suffix. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheus(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** Sum over samples named `name` or `name_total` matching the labels; undefined when absent (which counts as 0 for counters before their first increment). */
export function sumOf(samples: PromSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const base = name.replace(/_total$/, '');
  const hits = samples.filter((s) => (s.name === base || s.name === `${base}_total`) && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return hits.length === 0 ? undefined : hits.reduce((n, s) => n + s.value, 0);
}
