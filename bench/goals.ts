/**
 * The goals of issue 13 ("fast at call-centre scale"), one line per measured row, collected from every section of
 * `npm run bench` and printed together at the end, so one run says which goals it met and by how much.
 */

export interface GoalCheck {
  /** The row of the goals table (bench/README.md, "Goals"). */
  what: string;
  /** What this run measured, with units. */
  measured: string;
  /** The anchor measured in the same run, with units ('–' when the goal is absolute). */
  anchor: string;
  /** The goal, as written in the table. */
  goal: string;
  /** Null when the run could not tell (a section skipped or failed). */
  met: boolean | null;
}

const checks: GoalCheck[] = [];

export function recordGoal(check: GoalCheck): void {
  checks.push(check);
}

export function recordedGoals(): readonly GoalCheck[] {
  return checks;
}

/** The markdown table of every goal recorded so far; empty when none was. */
export function goalTable(rows: readonly GoalCheck[] = checks): string {
  if (rows.length === 0) return '';
  const lines = [
    '| what | measured | anchor (same run) | goal | met |',
    '|---|---|---|---|:-:|',
    ...rows.map((r) => `| ${r.what} | ${r.measured} | ${r.anchor} | ${r.goal} | ${r.met === null ? '?' : r.met ? 'yes' : '**no**'} |`),
  ];
  return lines.join('\n');
}
