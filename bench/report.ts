import { writeFileSync } from 'node:fs';

/** One row of the bench table: a scenario's figure on one database, beside its floor from the same run. */
export interface BenchRow {
  /** As in issue 13's table. */
  scenario: string;
  /** The name in BENCH_JSON, where it differs (the two dispatch floors). */
  jsonScenario?: string;
  database: 'postgresql' | 'pglite';
  /** One figure, or several named ones (p50/p99, seconds and megabytes). */
  value: number | Record<string, number>;
  unit: string;
  /** The floor's figure (same unit), null where the scenario has none. */
  floor: number | null;
  /** What the floor is, briefly, for the printed table. */
  floorLabel?: string;
  /** Southgate / floor for rates, floor / Southgate for durations: 1.0 is as fast as the floor. */
  ratio: number | null;
  goal: string;
  meets: boolean;
  /** Sizes and details worth printing under the table. */
  notes?: string[];
}

const figure = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

function valueText(row: BenchRow): string {
  if (typeof row.value === 'number') return `${figure(row.value)} ${row.unit}`;
  return Object.entries(row.value)
    .map(([k, v]) => `${k} ${figure(v)}`)
    .join(', ')
    .concat(row.unit ? ` ${row.unit}` : '');
}

/** The table as Markdown, ready for docs/benchmarks.md. */
export function table(rows: BenchRow[]): string {
  const lines = [
    '| scenario | database | Southgate | floor (same run) | ratio | goal | meets |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) =>
      [
        '',
        r.jsonScenario ? `${r.scenario} (${r.jsonScenario.replace('dispatch vs ', 'vs ')})` : r.scenario,
        r.database,
        valueText(r),
        r.floor === null ? '—' : `${figure(r.floor)} ${r.unit}${r.floorLabel ? ` (${r.floorLabel})` : ''}`,
        r.ratio === null ? '—' : r.ratio.toFixed(2),
        r.goal,
        r.meets ? 'yes' : '**no**',
        '',
      ]
        .join(' | ')
        .trim(),
    ),
  ];
  return lines.join('\n');
}

/** Sizes and details, one line each, under the table. */
export function notes(rows: BenchRow[]): string {
  return rows
    .filter((r) => r.notes?.length)
    .map((r) => `- ${r.database}, ${r.jsonScenario ?? r.scenario}: ${r.notes!.join('; ')}`)
    .join('\n');
}

/** BENCH_JSON: one object per row, as issue 13 specifies. */
export function writeJson(file: string, rows: BenchRow[]): void {
  const json = rows.map((r) => ({
    scenario: r.jsonScenario ?? r.scenario,
    database: r.database,
    value: r.value,
    unit: r.unit,
    floor: r.floor,
    goal: r.goal,
  }));
  writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
}
