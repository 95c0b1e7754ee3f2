/**
 * Language and time for the pages: Chinese first (zh-CN is the default whatever the browser asks
 * for), English when the user picks it; times in the office's zone, Asia/Shanghai; names with
 * numbers in them (第10区, 第100区) sorted as a person reads them.
 */
import type { FastifyRequest } from 'fastify';

export type Locale = 'zh-CN' | 'en';

export const LOCALE_COOKIE = 'gongkai_lang';
export const TIME_ZONE = 'Asia/Shanghai';

export function isLocale(value: unknown): value is Locale {
  return value === 'zh-CN' || value === 'en';
}

/** `?lang=` for this request, else the cookie the language switch set, else Chinese. */
export function localeOf(request: FastifyRequest): Locale {
  const asked = (request.query as Record<string, unknown> | undefined)?.lang;
  if (isLocale(asked)) return asked;
  const chosen = request.cookies?.[LOCALE_COOKIE];
  return isLocale(chosen) ? chosen : 'zh-CN';
}

/** The text in the page's language: every user-visible string is written in both, Chinese first. */
export function say(locale: Locale, zh: string, en: string): string {
  return locale === 'en' ? en : zh;
}

const SHANGHAI_TIME = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** `2026-12-02 10:55:00` in Beijing time, the same digits in both languages. */
export function formatTime(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  const parts = Object.fromEntries(SHANGHAI_TIME.formatToParts(date).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour === '24' ? '00' : parts.hour}:${parts.minute}:${parts.second}`;
}

const NATURAL = new Intl.Collator('zh-CN', { numeric: true, sensitivity: 'base' });

/** Chinese names in pinyin order, with runs of digits compared as numbers: 第10区 before 第100区. */
export function compareNatural(a: string, b: string): number {
  return NATURAL.compare(a, b);
}

export function formatNumber(value: number | string | null | undefined, locale: Locale = 'zh-CN'): string {
  if (value === null || value === undefined || value === '') return '';
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? number.toLocaleString(locale === 'en' ? 'en-US' : 'zh-CN', { maximumFractionDigits: 2 }) : String(value);
}
