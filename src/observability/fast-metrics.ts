import type { Metric, Registry, RegistryContentType } from 'prom-client';

/**
 * A counter and a histogram for the metrics updated per request, per upstream call and per callback, exported by a
 * prom-client registry exactly as prom-client's own Counter and Histogram would be (test/unit/fast-metrics.test.ts
 * renders both side by side).
 *
 * Why not prom-client's: its label children still validate the labels and hash the label object on every `inc()` and
 * `observe()`, about 2 µs per operation for the two metrics. Here a label set's values live in a cell resolved once
 * through nested Maps (no key string built, nothing hashed or validated per call); `inc()` adds to a number and
 * `observe()` finds the bucket with a short loop over the fixed bounds. The export format (prom-client's `get()` and
 * `getForPromString()`) is built only at scrape time.
 */

/** Label values of one cell, in the metric's label order (at most MAX_LABELS). */
type LabelValues = readonly [string, string?, string?];
/** What prom-client's registry reads from a metric: its label names and values, by name. */
type LabelSet = Record<string, string>;
/** A level of the label tree: the next label's value to the next level, or to the cell at the last one. */
type Branch<Cell> = Map<string, Branch<Cell> | Cell>;

/** Label names per metric: the lookups are written out for up to three levels (no rest arrays on the hot path). */
const MAX_LABELS = 3;

/**
 * What prom-client's registry reads from a metric's `get()` (JSON) and `getForPromString()` (text): one value per
 * sample line (lib/counter.js, lib/histogram.js).
 */
interface ExportedValue {
  value: number;
  labels: Record<string, string | number>;
  sharedLabels?: LabelSet;
  metricName?: string;
  exemplar?: null;
}
interface Exported {
  name: string;
  help: string;
  type: string;
  values: ExportedValue[];
  aggregator: 'sum';
}

export interface FastMetricConfig<L extends string> {
  name: string;
  help: string;
  /** One to three label names. */
  labelNames: readonly L[];
  registers: readonly Registry<RegistryContentType>[];
}

/** Cells by label values, in the order of their creation (prom-client lists series in first-update order). */
abstract class LabelledMetric<Cell> {
  /** Not readonly: an OpenMetrics registry rewrites counter names. */
  name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly aggregator = 'sum' as const;
  abstract readonly type: string;
  private root: Branch<Cell> = new Map();
  protected cells: { labels: LabelSet; cell: Cell }[] = [];

  constructor(config: FastMetricConfig<string>) {
    if (config.labelNames.length < 1 || config.labelNames.length > MAX_LABELS) {
      throw new Error(`${config.name}: a fast metric takes 1 to ${MAX_LABELS} labels`);
    }
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames;
    // The registry reads only the fields above and the methods below; prom-client's type lists its own classes.
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric);
  }

  protected abstract create(): Cell;

  /** The cell of a label set: values in label order, exactly as many as labels. */
  cell(a: string, b?: string, c?: string): Cell {
    const first = this.root.get(a);
    if (this.labelNames.length === 1) return (first as Cell | undefined) ?? this.add(this.root, a, [a]);
    const level2 = (first as Branch<Cell> | undefined) ?? this.branch(this.root, a);
    const second = level2.get(b as string);
    if (this.labelNames.length === 2) return (second as Cell | undefined) ?? this.add(level2, b as string, [a, b]);
    const level3 = (second as Branch<Cell> | undefined) ?? this.branch(level2, b as string);
    return (level3.get(c as string) as Cell | undefined) ?? this.add(level3, c as string, [a, b, c]);
  }

  /** Forgets every label set (prom-client's `reset()`, used by `registry.resetMetrics()`). */
  reset(): void {
    this.root = new Map();
    this.cells = [];
  }

  async get(): Promise<Exported> {
    return this.exported(false);
  }

  protected abstract exported(forText: boolean): Exported;

  private branch(parent: Branch<Cell>, value: string): Branch<Cell> {
    const branch: Branch<Cell> = new Map();
    parent.set(value, branch);
    return branch;
  }

  private add(parent: Branch<Cell>, value: string, values: LabelValues): Cell {
    const labels: LabelSet = {};
    this.labelNames.forEach((name, index) => {
      const labelValue = values[index];
      if (typeof labelValue !== 'string') throw new Error(`${this.name}: no value for label ${name}`);
      labels[name] = labelValue;
    });
    const cell = this.create();
    parent.set(value, cell);
    this.cells.push({ labels, cell });
    return cell;
  }
}

/** One label set's count. */
export class CounterCell {
  value = 0;

  inc(by = 1): void {
    this.value += by;
  }
}

export class FastCounter<L extends string = string> extends LabelledMetric<CounterCell> {
  readonly type = 'counter';

  constructor(config: FastMetricConfig<L>) {
    super(config);
  }

  protected create(): CounterCell {
    return new CounterCell();
  }

  protected exported(): Exported {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values: this.cells.map(({ labels, cell }) => ({ value: cell.value, labels })),
      aggregator: this.aggregator,
    };
  }
}

/** One label set's observations: per-bucket (not cumulative) counts, values above the last bound in `count` only. */
export class HistogramCell {
  count = 0;
  sum = 0;
  readonly buckets: number[];

  constructor(private readonly bounds: readonly number[]) {
    this.buckets = bounds.map(() => 0);
  }

  /** Records a value; a value that is not a finite number is ignored (prom-client would throw into the caller). */
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const bounds = this.bounds;
    let index = 0;
    while (index < bounds.length && value > (bounds[index] as number)) index += 1;
    if (index < bounds.length) this.buckets[index] = (this.buckets[index] as number) + 1;
    this.count += 1;
    this.sum += value;
  }
}

export interface FastHistogramConfig<L extends string> extends FastMetricConfig<L> {
  /** Upper bounds, ascending; `+Inf` is added at export. */
  buckets: readonly number[];
}

function checkedHistogram<L extends string>(config: FastHistogramConfig<L>): FastHistogramConfig<L> {
  if (config.labelNames.includes('le' as L)) throw new Error(`${config.name}: le is a reserved label name`);
  if (config.buckets.some((bound, index) => index > 0 && bound <= (config.buckets[index - 1] as number))) {
    throw new Error(`${config.name}: bucket bounds must ascend`);
  }
  return config;
}

export class FastHistogram<L extends string = string> extends LabelledMetric<HistogramCell> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(config: FastHistogramConfig<L>) {
    // Checked before the base class registers the metric: a refused one must not stay in the registry.
    super(checkedHistogram(config));
    this.buckets = Object.freeze([...config.buckets]);
  }

  protected create(): HistogramCell {
    return new HistogramCell(this.buckets);
  }

  /** The text export: bucket lines carry `le` in their own labels and the label set as shared labels. */
  async getForPromString(): Promise<Exported> {
    return this.exported(true);
  }

  protected exported(forText: boolean): Exported {
    const bucketName = `${this.name}_bucket`;
    const values: ExportedValue[] = [];
    // prom-client's get() moves the shared labels into each value's labels, after `le`.
    const sample = (own: Record<string, string | number>, value: number, metricName: string, labels: LabelSet): ExportedValue =>
      forText ? { labels: own, sharedLabels: labels, value, metricName } : { labels: { ...own, ...labels }, value, metricName };
    // Bucket lines carry an exemplar slot (always empty here), as prom-client's do.
    const bucket = (le: number | string, value: number, labels: LabelSet) => ({ ...sample({ le }, value, bucketName, labels), exemplar: null });
    for (const { labels, cell } of this.cells) {
      let cumulative = 0;
      this.buckets.forEach((bound, index) => {
        cumulative += cell.buckets[index] as number;
        values.push(bucket(bound, cumulative, labels));
      });
      values.push(bucket('+Inf', cell.count, labels));
      values.push(sample({}, cell.sum, `${this.name}_sum`, labels));
      values.push(sample({}, cell.count, `${this.name}_count`, labels));
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
