/**
 * The agencies expected to report each year: a CSV file (GONGKAI_EXPECTED_AGENCIES) of
 * `division_code,agency,aliases` lines — the agency's division (GB/T 2260, 6 digits), its name, and
 * the other names its reports print, separated by `|`. A header line and blank or `#` lines are skipped.
 *
 *     division_code,agency,aliases
 *     510421,米易县人民政府,米易县政府|米易縣人民政府
 */
import fs from 'node:fs/promises';
import { expectedIdentity, foldAgencyName, type ExpectedPlace } from './agency';
import { divisionByCode, type Division } from './divisions';

export interface ExpectedAgency extends ExpectedPlace {
  agency: string;
  aliases: string[];
  /** The agency's identity (shared/agency.ts): the reports.agency_key its reports get. */
  key: string;
  /** The agency's name qualified with its place (内江市市中区人民政府). */
  fullName: string;
  division: Division;
  /** The city the agency belongs to (攀枝花市), or its province for a province's own agencies and a municipality's districts: what region filters compare. */
  region: string;
}

/** The city (or province) an agency of this division belongs to. */
function regionOf(division: Division): string {
  if (division.level !== 'county' || division.parentCode === null) return division.name;
  return divisionByCode(division.parentCode)?.name ?? division.name;
}

/** Parses the list. Throws on a line whose division code is not a known division. */
export function parseExpectedAgencies(text: string): ExpectedAgency[] {
  const agencies: ExpectedAgency[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((line, index) => {
      const [code = '', agency = '', aliasList = ''] = line.split(/[,，\t]/).map((part) => part.trim());
      if (code === '' || code.startsWith('#') || code.toLowerCase() === 'division_code') return;
      const division = divisionByCode(code);
      if (!division || !agency) throw new Error(`expected agencies, line ${index + 1}: '${line}' does not start with a known division code and an agency name`);
      const aliases = aliasList.split('|').map((alias) => alias.trim()).filter(Boolean);
      const identity = expectedIdentity(agency, code);
      agencies.push({
        agency,
        aliases,
        divisionCode: code,
        names: [agency, ...aliases].map(foldAgencyName),
        identity,
        key: identity.key,
        fullName: identity.fullName,
        division,
        region: regionOf(division),
      });
    });
  return agencies;
}

/** The list last read from each file, reused until the file changes (every publish job reads it). */
const loaded = new Map<string, { version: string; agencies: ExpectedAgency[] }>();

export async function loadExpectedAgencies(file: string | null): Promise<ExpectedAgency[]> {
  if (!file) return [];
  const stat = await fs.stat(file);
  const version = `${stat.mtimeMs}:${stat.size}`;
  const cached = loaded.get(file);
  if (cached?.version === version) return cached.agencies;
  const agencies = parseExpectedAgencies(await fs.readFile(file, 'utf8'));
  loaded.set(file, { version, agencies });
  return agencies;
}
