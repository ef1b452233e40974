/** Prometheus text exposition, for the replicas' /metrics endpoints. */
export interface Sample {
  labels?: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help?: string;
  type: 'counter' | 'gauge';
  samples: Sample[];
}

export function renderFamilies(families: Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    // A family without samples is absent, as a labelled counter is before its first increment.
    if (f.samples.length === 0) continue;
    if (f.help) out.push(`# HELP ${f.name} ${f.help}`);
    out.push(`# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {})
        .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
        .join(',');
      out.push(`${f.name}${labels ? `{${labels}}` : ''} ${s.value}`);
    }
  }
  return out.join('\n') + '\n';
}
