/**
 * The roll-up and year-over-year pages (/rollup, /trends), the roll-up as a workbook (/rollup.xlsx)
 * and as JSON (/api/rollup, /api/trends).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Division } from '../../shared/divisions';
import {
  agencyChanges,
  changeBetween,
  computeRollup,
  indicatorTrends,
  regionChoices,
  regionFor,
  rollupYears,
  type Rollup,
  type Trends,
} from '../../shared/db/rollup';
import { html, page, type Markup } from '../html';
import { say } from '../i18n';
import { pageContextOf } from '../page-context';
import { rollupWorkbook } from '../rollup-workbook';
import type { WebContext } from '../context';
import { rollupView, trendsView } from '../views/rollup';

type Query = { region?: string; year?: string; agency?: string; indicator?: string };

/** The indicator charts and tables show when none is asked for: the one every template has. */
const DEFAULT_INDICATOR = 'applicationsReceived';
/** Child divisions drawn as lines of their own in the year-over-year chart, at most. */
const MAX_PART_SERIES = 7;

const rollupQuery = {
  type: 'object',
  properties: {
    region: { type: 'string', pattern: '^(\\d{6})?$', description: 'a division code (GB/T 2260): province, city or county; empty for all data' },
    year: { type: 'string', pattern: '^(\\d{4})?$', description: 'the report year; empty for the latest year with reports' },
  },
} as const;
const exactSum = { type: ['string', 'null'], description: 'an exact decimal sum as text' } as const;
const indicatorValues = { type: 'object', additionalProperties: exactSum } as const;
const childTotals = {
  type: 'object',
  properties: {
    code: { type: ['string', 'null'] },
    name: { type: 'string' },
    reports: { type: 'integer' },
    excluded: { type: 'integer' },
    missing: { type: 'integer' },
    indicators: indicatorValues,
    parts: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;
const rollupSchema = {
  type: 'object',
  properties: {
    region: { type: ['object', 'null'], additionalProperties: true },
    year: { type: 'integer' },
    counted: { type: 'integer', description: 'reports in the sums' },
    excluded: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          documentId: { type: 'string' },
          fileName: { type: 'string' },
          agency: { type: ['string', 'null'] },
          divisionCode: { type: ['string', 'null'] },
          reasons: {
            type: 'array',
            items: { type: 'object', properties: { rule: { type: 'string' }, severity: { type: 'string' }, message: { type: 'string' }, messageEn: { type: ['string', 'null'] } } },
          },
        },
      },
    },
    forms: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          template: { type: 'string' },
          reports: { type: 'integer' },
          cells: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                table: { type: 'string' },
                row: { type: 'string' },
                column: { type: 'string' },
                cellKey: { type: 'string' },
                value: exactSum,
                reports: { type: 'integer' },
                unit: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
    },
    indicators: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, value: exactSum, reports: { type: 'integer' } } } },
    children: { type: 'array', items: childTotals },
    missing: { type: 'array', items: { type: 'object', properties: { agency: { type: 'string' }, divisionCode: { type: ['string', 'null'] } } } },
  },
} as const;
const error = { type: 'object', properties: { error: { type: 'string' } } } as const;

export async function registerRollupRoutes(app: FastifyInstance, context: WebContext): Promise<void> {
  const send = (reply: FastifyReply, request: FastifyRequest, title: string, body: Markup) =>
    reply.type('text/html; charset=utf-8').send(page(title, pageContextOf(request, context), body));

  /** The region and year a request asks for, the year defaulting to the region's latest; a message when there is none. */
  async function resolve(query: Query): Promise<{ region: Division | null; years: number[]; year: number | null } | { error: string; status: 400 | 404 }> {
    const region = regionFor(query.region);
    if (region === undefined) return { error: `未知的行政区划代码 ${query.region} (unknown division code)`, status: 400 };
    if (query.year && !/^\d{4}$/.test(query.year)) return { error: `年度应为四位数字：${query.year} (a year has four digits)`, status: 400 };
    const years = await rollupYears(context.db, region);
    const asked = query.year ? Number(query.year) : null;
    return { region, years, year: asked ?? years[0] ?? null };
  }

  async function rollupFor(query: Query): Promise<Rollup | { error: string; status: 400 | 404 }> {
    const resolved = await resolve(query);
    if ('error' in resolved) return resolved;
    if (resolved.year === null) return { error: '该地区没有计入的报告 (no counted report in this region)', status: 404 };
    return computeRollup(context.db, resolved.region, resolved.year, await context.expectedAgencies());
  }

  app.get('/rollup', async (request, reply) => {
    const query = request.query as Query;
    const { locale } = pageContextOf(request, context);
    const resolved = await resolve(query);
    if ('error' in resolved) {
      reply.code(resolved.status);
      return send(reply, request, say(locale, '汇总', 'Roll-up'), html`<h1>${say(locale, '汇总', 'Roll-up')}</h1><p class="note">${resolved.error}</p>`);
    }
    const choices = await regionChoices(context.db, resolved.region);
    if (resolved.year === null) {
      return send(reply, request, say(locale, '汇总', 'Roll-up'), html`<h1>${say(locale, '汇总', 'Roll-up')}</h1><p class="note">${say(locale, '该地区没有计入的报告。', 'No counted report in this region.')}</p>`);
    }
    const rollup = await computeRollup(context.db, resolved.region, resolved.year, await context.expectedAgencies());
    const body = rollupView({ locale, rollup, choices, years: resolved.years, indicator: query.indicator ?? DEFAULT_INDICATOR });
    return send(reply, request, `${say(locale, '汇总', 'Roll-up')} ${resolved.region?.name ?? ''} ${resolved.year}`, body);
  });

  app.get('/rollup.xlsx', { schema: { querystring: rollupQuery } }, async (request, reply) => {
    const rollup = await rollupFor(request.query as Query);
    if ('error' in rollup) return reply.code(rollup.status).send({ error: rollup.error });
    const name = `gongkai-rollup-${rollup.region?.code ?? 'all'}-${rollup.year}.xlsx`;
    reply.header('content-disposition', `attachment; filename="${name}"`);
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await rollupWorkbook(rollup));
  });

  app.get(
    '/api/rollup',
    {
      schema: {
        tags: ['rollup'],
        summary: "A division's year: every table value summed over the reports that count, per child division, the reports left out and the agencies missing",
        querystring: rollupQuery,
        response: { 200: rollupSchema, 400: error, 404: error },
      },
    },
    async (request, reply) => {
      const rollup = await rollupFor(request.query as Query);
      return 'error' in rollup ? reply.code(rollup.status).send({ error: rollup.error }) : rollup;
    },
  );

  app.get(
    '/api/trends',
    {
      schema: {
        tags: ['rollup'],
        summary: 'Cross-template indicators per year, for a division (its counted reports without errors) or one agency (agency key)',
        querystring: { type: 'object', properties: { region: rollupQuery.properties.region, agency: { type: 'string' } } },
        response: {
          200: {
            type: 'object',
            properties: {
              years: { type: 'array', items: { type: 'integer' } },
              series: { type: 'array', items: { type: 'object', properties: { indicator: { type: 'string' }, name: { type: 'string' }, values: { type: 'array', items: exactSum } } } },
            },
          },
          400: error,
        },
      },
    },
    async (request, reply) => {
      const query = request.query as Query;
      const region = regionFor(query.region);
      if (region === undefined) return reply.code(400).send({ error: `unknown division code ${query.region}` });
      return indicatorTrends(context.db, query.agency ? { agencyKey: query.agency } : { region });
    },
  );

  app.get('/trends', async (request, reply) => {
    const query = request.query as Query;
    const { locale } = pageContextOf(request, context);
    const region = regionFor(query.region);
    if (region === undefined) {
      reply.code(400);
      return send(reply, request, say(locale, '同比', 'Year over year'), html`<h1>${say(locale, '同比', 'Year over year')}</h1><p class="note">${say(locale, '未知的行政区划代码', 'Unknown division code')} ${query.region}</p>`);
    }
    const agencyKey = query.agency || null;
    const trends = await indicatorTrends(context.db, agencyKey ? { agencyKey } : { region });
    const year = query.year && /^\d{4}$/.test(query.year) ? Number(query.year) : (trends.years.at(-1) ?? null);
    const indicator = query.indicator ?? DEFAULT_INDICATOR;
    const agencyName = agencyKey
      ? await context.db
          .selectFrom('reports')
          .select((eb) => eb.fn.coalesce('agency_full_name', 'agency').as('name'))
          .where('agency_key', '=', agencyKey)
          .orderBy('year', 'desc')
          .executeTakeFirst()
          .then((row) => row?.name ?? agencyKey)
      : null;
    const choices = await regionChoices(context.db, region);
    // The chosen indicator's line per child division beside the region's; a few lines stay readable.
    const parts = agencyKey || choices.children.length > MAX_PART_SERIES ? [] : choices.children;
    const partTrends = await Promise.all(parts.map(async (division) => ({ name: division.name, trends: await indicatorTrends(context.db, { region: division }) })));
    const body = trendsView({
      locale,
      region,
      choices,
      parts: partTrends,
      agency: agencyKey ? { key: agencyKey, name: agencyName! } : null,
      trends,
      year,
      indicator,
      changes: !agencyKey && year !== null ? await agencyChanges(context.db, region, year, indicator) : [],
      totals: year === null ? [] : yearOverYear(trends, year),
    });
    return send(reply, request, `${say(locale, '同比', 'Year over year')} ${agencyName ?? region?.name ?? ''}`, body);
  });
}

/** Each indicator's total in the year before `year` and in `year`, and the change. */
function yearOverYear(trends: Trends, year: number) {
  const at = (values: Trends['series'][number]['values'], wanted: number) => {
    const index = trends.years.indexOf(wanted);
    return index < 0 ? null : values[index];
  };
  return trends.series.map((series) => {
    const lastYear = at(series.values, year - 1);
    const thisYear = at(series.values, year);
    return { indicator: series.indicator, name: series.name, lastYear, thisYear, ...changeBetween(lastYear, thisYear) };
  });
}
