/** The server-drawn SVG charts: values scaled into the plot, a title per chart and per point or bar, labels escaped. */
import { CHART_MARGIN, barChart, lineChart, niceCeiling } from '../../web/charts';

const attributes = (svg: string, element: string, name: string) =>
  [...svg.matchAll(new RegExp(`<${element}\\b[^>]*\\b${name}="([^"]*)"`, 'g'))].map((match) => Number(match[1]));

describe('line chart', () => {
  const width = 400;
  const height = 200;
  const plotHeight = height - CHART_MARGIN.top - CHART_MARGIN.bottom;
  const plotWidth = width - CHART_MARGIN.left - CHART_MARGIN.right;
  const svg = lineChart({
    title: '申请数 <历年>',
    xLabels: ['2019', '2020', '2021'],
    series: [
      { name: '内江市', points: [{ value: 0, label: '0' }, { value: 50, label: '50' }, { value: 100, label: '100' }] },
      { name: '乐山市 & <script>', points: [{ value: 20, label: '20' }, { value: null, label: '' }, { value: 40, label: '40' }] },
    ],
    width,
    height,
  }).text;

  test('points are spread over the plot width and scaled from 0 at the bottom to the round top', () => {
    expect(attributes(svg, 'circle', 'cx').slice(0, 3)).toEqual([CHART_MARGIN.left, CHART_MARGIN.left + plotWidth / 2, CHART_MARGIN.left + plotWidth]);
    const bottom = CHART_MARGIN.top + plotHeight;
    expect(attributes(svg, 'circle', 'cy').slice(0, 3)).toEqual([bottom, bottom - plotHeight / 2, CHART_MARGIN.top]);
    // 20 and 40 of a 100 axis; the null point is a gap: no circle, and no line through it.
    expect(attributes(svg, 'circle', 'cy').slice(3)).toEqual([bottom - plotHeight * 0.2, bottom - plotHeight * 0.4]);
    expect(svg.match(/<polyline/g)).toHaveLength(1);
  });

  test('the chart, each series and each point have a title; text is escaped', () => {
    expect(svg).toContain('<title>申请数 &lt;历年&gt;</title>');
    expect(svg).toContain('<title>内江市 2020: 50</title>');
    expect(svg).toContain('乐山市 &amp; &lt;script&gt;');
    expect(svg).not.toContain('<script>');
    expect(svg).toMatch(/font-family="[^"]*Noto Sans CJK SC/);
    expect(svg).toContain('role="img"');
  });
});

describe('bar chart', () => {
  test('bar heights are proportional to the values against a round top, each bar titled', () => {
    const height = 260;
    const plotHeight = height - CHART_MARGIN.top - CHART_MARGIN.bottom;
    const svg = barChart({ title: '各市 申请数', bars: [{ label: '内江市', value: 15, text: '15' }, { label: '乐山市"', value: 7, text: '7' }], height }).text;
    const heights = attributes(svg, 'rect', 'height');
    // Values up to 15 get an axis to 20.
    expect(heights).toEqual([Math.round(plotHeight * (15 / 20) * 10) / 10, Math.round(plotHeight * (7 / 20) * 10) / 10]);
    expect(svg).toContain('<title>内江市: 15</title>');
    expect(svg).toContain('乐山市&quot;');
  });

  test('round axis tops', () => {
    expect([0, 1, 7, 15, 22, 99, 101, 4000].map(niceCeiling)).toEqual([1, 1, 10, 20, 50, 100, 200, 5000]);
  });
});
