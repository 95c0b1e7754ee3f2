/**
 * Charts drawn on the server as inline SVG, so the pages need no script: a line chart (indicators
 * over the years) and a bar chart (one indicator per division). Every chart has a <title>, and every
 * point and bar its own, which screen readers read and browsers show on hover. All text goes through
 * `html`, so labels from reports are escaped.
 */
import { html, Markup } from './html';

/** Space around the plot for the axis labels, in SVG units. */
export const CHART_MARGIN = { top: 16, right: 16, bottom: 40, left: 64 } as const;
const FONT = `font-family="'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"`;
/** Width of one legend entry, and the height of a legend line, in SVG units. */
const LEGEND_WIDTH = 140;
const LEGEND_LINE = 16;
const SERIES_COLOURS = ['#1f5fbf', '#b42318', '#1b7a3d', '#8a5a00', '#6941c6', '#0e7490', '#c11574', '#475467'];

export interface LinePoint {
  /** The value to plot; null leaves a gap. */
  value: number | null;
  /** The value as shown (an exact sum, formatted), in the point's title. */
  label: string;
}

export interface LineSeries {
  name: string;
  /** One point per x label. */
  points: LinePoint[];
}

export interface LineChartOptions {
  title: string;
  xLabels: string[];
  series: LineSeries[];
  width?: number;
  /** The height with a one-line legend; each further legend line adds to it. */
  height?: number;
}

export interface Bar {
  label: string;
  value: number;
  /** The value as shown. */
  text: string;
}

export interface BarChartOptions {
  title: string;
  bars: Bar[];
  width?: number;
  height?: number;
}

/** 1, 2 or 5 times a power of ten, at least `value`: a round top for the axis. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= value) ?? 10 * power);
}

const round = (value: number) => Math.round(value * 10) / 10;

/** The y axis from 0 to a round top, with its tick labels; values below 0 are drawn at 0. */
function yAxis(maximum: number, plot: { left: number; top: number; width: number; height: number }): { scale: (value: number) => number; markup: Markup } {
  const top = niceCeiling(maximum);
  const scale = (value: number) => round(plot.top + plot.height - (Math.max(0, value) / top) * plot.height);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((share) => share * top);
  return {
    scale,
    markup: html`${ticks.map(
      (tick) => html`<line x1="${plot.left}" x2="${plot.left + plot.width}" y1="${scale(tick)}" y2="${scale(tick)}" stroke="#e4e7ec"/><text x="${plot.left - 6}" y="${scale(tick) + 4}" text-anchor="end" font-size="11" fill="#5b6575">${tick.toLocaleString('zh-CN')}</text>`,
    )}`,
  };
}

function plotArea(width: number, height: number) {
  return { left: CHART_MARGIN.left, top: CHART_MARGIN.top, width: width - CHART_MARGIN.left - CHART_MARGIN.right, height: height - CHART_MARGIN.top - CHART_MARGIN.bottom };
}

/** Lines over evenly spaced x labels; each series has its colour, a legend entry and a titled circle per point. */
export function lineChart(options: LineChartOptions): Markup {
  const { title, xLabels, series, width = 560, height: plotHeight = 260 } = options;
  const plot = plotArea(width, plotHeight);
  // The legend wraps onto more lines below the plot when the series do not fit on one.
  const legendColumns = Math.max(1, Math.floor(plot.width / LEGEND_WIDTH));
  const height = plotHeight + (Math.ceil(series.length / legendColumns) - 1) * LEGEND_LINE;
  const legendAt = (index: number) => ({ x: plot.left + (index % legendColumns) * LEGEND_WIDTH, y: plotHeight - 8 + Math.floor(index / legendColumns) * LEGEND_LINE });
  const values = series.flatMap((line) => line.points.flatMap((point) => (point.value === null ? [] : [point.value])));
  const y = yAxis(Math.max(0, ...values), plot);
  const x = (index: number) => round(xLabels.length === 1 ? plot.left + plot.width / 2 : plot.left + (index / (xLabels.length - 1)) * plot.width);
  return html`<svg class="chart line-chart" role="img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ${new Markup(FONT)}>
<title>${title}</title>
${y.markup}
${xLabels.map((label, index) => html`<text x="${x(index)}" y="${plot.top + plot.height + 16}" text-anchor="middle" font-size="11" fill="#5b6575">${label}</text>`)}
${series.map((line, seriesIndex) => {
  const colour = SERIES_COLOURS[seriesIndex % SERIES_COLOURS.length];
  // A gap (null) ends one polyline and a later value starts the next.
  const runs: string[][] = [[]];
  line.points.forEach((point, index) => {
    if (point.value === null) runs.push([]);
    else runs[runs.length - 1].push(`${x(index)},${y.scale(point.value)}`);
  });
  return html`<g class="series" data-series="${line.name}">
<title>${line.name}</title>
${runs.filter((run) => run.length > 1).map((run) => html`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${run.join(' ')}"/>`)}
${line.points.map((point, index) =>
  point.value === null
    ? ''
    : html`<circle class="point" cx="${x(index)}" cy="${y.scale(point.value)}" r="3.5" fill="${colour}"><title>${line.name} ${xLabels[index]}: ${point.label}</title></circle>`,
)}
<rect x="${legendAt(seriesIndex).x}" y="${legendAt(seriesIndex).y - 9}" width="10" height="10" fill="${colour}"/><text x="${legendAt(seriesIndex).x + 14}" y="${legendAt(seriesIndex).y}" font-size="11">${line.name}</text>
</g>`;
})}
</svg>`;
}

/** Vertical bars, one per label, with the value above each bar. */
export function barChart(options: BarChartOptions): Markup {
  const { title, bars, width = Math.max(320, CHART_MARGIN.left + CHART_MARGIN.right + bars.length * 64), height = 260 } = options;
  const plot = plotArea(width, height);
  const y = yAxis(Math.max(0, ...bars.map((bar) => bar.value)), plot);
  const slot = plot.width / Math.max(1, bars.length);
  const barWidth = round(slot * 0.6);
  return html`<svg class="chart bar-chart" role="img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ${new Markup(FONT)}>
<title>${title}</title>
${y.markup}
${bars.map((bar, index) => {
  const left = round(plot.left + index * slot + (slot - barWidth) / 2);
  const top = y.scale(bar.value);
  const centre = round(left + barWidth / 2);
  return html`<g class="bar"><title>${bar.label}: ${bar.text}</title>
<rect x="${left}" y="${top}" width="${barWidth}" height="${round(plot.top + plot.height - top)}" fill="${SERIES_COLOURS[0]}"/>
<text x="${centre}" y="${top - 4}" text-anchor="middle" font-size="11">${bar.text}</text>
<text x="${centre}" y="${plot.top + plot.height + 16}" text-anchor="middle" font-size="11" fill="#5b6575">${bar.label}</text>
</g>`;
})}
</svg>`;
}
