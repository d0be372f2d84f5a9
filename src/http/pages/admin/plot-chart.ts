/** One value of a chart: its label on the x axis, the number plotted, and how the page writes it. */
export type ChartPoint = { label: string; value: number; display: string };

/** `whole`: the values are counts, so an axis line between whole numbers (2.5 subscriptions) is left out. */
export type ChartSpec = { id: string; title: string; kind: 'line' | 'bar'; points: readonly ChartPoint[]; tick: (value: number) => string; max?: number; whole?: boolean };

export type PlottedPoint = ChartPoint & { x: number; y: number; barX: number; barWidth: number; barHeight: number };

/** A chart's geometry, ready for `admin/chart.eta` to draw as SVG: no script, so the pages' policy holds. */
export type PlottedChart = {
  id: string;
  title: string;
  kind: 'line' | 'bar';
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  points: PlottedPoint[];
  /** The line through the points (`d` of a path), for a line chart. */
  path: string;
  ticks: { y: number; display: string }[];
};

const WIDTH = 640;
const HEIGHT = 220;
const MARGIN = { left: 96, right: 12, top: 12, bottom: 28 };

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above `max`, so the axis reads in round steps; 2 at least (a count of 0 or 1 still gets an axis). */
export function niceCeiling(max: number): number {
  if (max <= 2) return 2;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= max) return step * magnitude;
  return 10 * magnitude;
}

const round = (value: number) => Math.round(value * 10) / 10;

/** Places the points of `spec` on a 640 × 220 canvas: values from 0 up to a round maximum, one column per point. */
export function plotChart(spec: ChartSpec): PlottedChart {
  const plot = { left: MARGIN.left, right: WIDTH - MARGIN.right, top: MARGIN.top, bottom: HEIGHT - MARGIN.bottom };
  const max = spec.max ?? niceCeiling(Math.max(0, ...spec.points.map((point) => point.value)));
  const column = (plot.right - plot.left) / Math.max(1, spec.points.length);
  const yOf = (value: number) => round(plot.bottom - (Math.max(0, value) / max) * (plot.bottom - plot.top));
  const points = spec.points.map((point, index) => {
    const x = round(plot.left + (index + 0.5) * column);
    const y = yOf(point.value);
    return { ...point, x, y, barX: round(x - column * 0.3), barWidth: round(column * 0.6), barHeight: round(plot.bottom - y) };
  });
  return {
    id: spec.id,
    title: spec.title,
    kind: spec.kind,
    width: WIDTH,
    height: HEIGHT,
    plot,
    points,
    path: points.map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x} ${point.y}`).join(' '),
    ticks: [0, 0.5, 1].filter((share) => !spec.whole || Number.isInteger(max * share)).map((share) => ({ y: yOf(max * share), display: spec.tick(max * share) })),
  };
}
