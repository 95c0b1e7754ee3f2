/**
 * Which template a report follows, decided by the column headers and row labels only one template
 * prints; the report year decides only when no table survived.
 */
import type { TemplateId } from '../../shared/record';
import { templateForYear } from '../../shared/template/templates';

const MARKERS: Record<TemplateId, string[]> = {
  '2021': ['本年制发件数', '本年废止件数', '现行有效件数', '本年收费金额', '申请人无正当理由逾期不补正', '申请人逾期未按收费通知要求缴纳费用'],
  '2019': ['本年新制作数量', '本年新公开数量', '对外公开总数量', '上一年项目数量', '本年增/减', '采购总金额', '其他对外管理服务事项'],
  pre2019: ['统计指标', '指标名称', '历年累计', '主动公开政府信息数', '申请答复数', '申请办结数', '同意公开答复数', '不同意公开答复数'],
};

export function detectTemplate(text: string, year: number | null): TemplateId | null {
  const compact = text.replace(/\s+/g, '');
  let best: TemplateId | null = null;
  let bestHits = 0;
  for (const template of Object.keys(MARKERS) as TemplateId[]) {
    const hits = MARKERS[template].filter((marker) => compact.includes(marker)).length;
    if (hits > bestHits) {
      best = template;
      bestHits = hits;
    }
  }
  return best ?? templateForYear(year);
}
