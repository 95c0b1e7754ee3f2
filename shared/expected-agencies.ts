/** The agencies expected to report each year, with their region: a CSV file of `agency,region` lines. */
import fs from 'node:fs/promises';
import { agencyKey } from './agency';

export interface ExpectedAgency {
  agency: string;
  /** Folded name (shared/agency.ts), to match the names reports print. */
  key: string;
  region: string | null;
}

/** Parses the list; a header line `agency,region` and blank or `#` lines are skipped. */
export function parseExpectedAgencies(text: string): ExpectedAgency[] {
  const agencies: ExpectedAgency[] = [];
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const [agency, region] = line.split(/[,，\t]/).map((part) => part.trim());
    if (!agency || agency.startsWith('#') || agency.toLowerCase() === 'agency') continue;
    agencies.push({ agency, key: agencyKey(agency), region: region || null });
  }
  return agencies;
}

export async function loadExpectedAgencies(file: string | null): Promise<ExpectedAgency[]> {
  return file ? parseExpectedAgencies(await fs.readFile(file, 'utf8')) : [];
}

/** An agency belongs to a region when the list says so or when its name contains the region's name (米易县… in 米易县). */
export function inRegion(agency: string | null, region: string, expected: readonly ExpectedAgency[]): boolean {
  if (!agency) return false;
  const key = agencyKey(agency);
  return agency.includes(region) || expected.some((entry) => entry.key === key && entry.region === region);
}
