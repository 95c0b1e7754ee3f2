/** The export page and the export downloads (CSV and Excel, streamed; see web/export.ts). */
import type { FastifyInstance } from 'fastify';
import { regionFor } from '../../shared/db/rollup';
import { divisionsNamed, type Division } from '../../shared/divisions';
import { page } from '../html';
import { localeOf, say } from '../i18n';
import { pageContextOf } from '../page-context';
import type { WebContext } from '../context';
import { divisionsInData, exportStream, yearsInData, type ExportFilter } from '../export';
import { exportView } from '../views/export';

const exportQuery = {
  type: 'object',
  properties: {
    // Strings, so that the export form's empty "all" choices are accepted.
    year: { type: 'string', pattern: '^(\\d{4})?$', description: 'a year such as 2021; empty for all' },
    region: {
      type: 'string',
      description: 'a division code (GB/T 2260), e.g. 510400, or a name only one division has (攀枝花市): its agencies and those of every division within it; empty for all',
    },
    counted: {
      type: 'string',
      enum: ['1', '0', 'true', 'false'],
      default: '1',
      description: '1 (default): only the report that counts for each agency and year; 0: every copy, each marked counted or not',
    },
    lang: { type: 'string', enum: ['zh-CN', 'en'], description: 'language of the column headers and labels; Chinese by default' },
  },
} as const;

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The region asked for: a division code, or a name that only one division has; undefined when neither. */
function exportRegion(asked: string | undefined): Division | null | undefined {
  if (!asked || /^\d+$/.test(asked)) return regionFor(asked);
  const named = divisionsNamed(asked);
  return named.length === 1 ? named[0] : undefined;
}

export async function registerExportRoutes(app: FastifyInstance, context: WebContext): Promise<void> {
  app.get('/export', async (request, reply) => {
    const pageContext = pageContextOf(request, context);
    const [years, divisions] = await Promise.all([yearsInData(context.db), divisionsInData(context.db)]);
    return reply.type('text/html; charset=utf-8').send(page(say(pageContext.locale, '导出数据', 'Export'), pageContext, exportView(pageContext, years, divisions)));
  });

  for (const kind of ['cells', 'findings'] as const) {
    for (const format of ['csv', 'xlsx'] as const) {
      app.get(
        `/api/export/${kind}.${format}`,
        {
          schema: {
            tags: ['export'],
            summary: `${kind} of published reports as ${format.toUpperCase()}, streamed; filtered by year, region and counted copies`,
            querystring: exportQuery,
          },
        },
        async (request, reply) => {
          const query = request.query as { year?: string; region?: string; counted: string };
          const locale = localeOf(request);
          const region = exportRegion(query.region);
          if (region === undefined) {
            const error = say(locale, `没有唯一的行政区划“${query.region}”：请给出其行政区划代码，如 510400`, `no single division is ${query.region}: give its code (GB/T 2260), e.g. 510400`);
            return reply.code(400).send({ error });
          }
          const filter: ExportFilter = {
            year: query.year ? Number(query.year) : undefined,
            region: region ?? undefined,
            countedOnly: query.counted === '1' || query.counted === 'true',
          };
          const name = ['gongkai', kind, filter.year, region?.code, filter.countedOnly ? undefined : 'all-copies'].filter(Boolean).join('-');
          reply.header('content-disposition', `attachment; filename="${name}.${format}"`);
          const body = exportStream(context.db, context.config, { kind, format, filter, locale });
          return reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE).send(body);
        },
      );
    }
  }
}
