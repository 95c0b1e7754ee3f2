/**
 * Fetching a report file from a URL for the web server's "URL import". The URL comes from a user, so the fetch
 * refuses private targets (SSRF), connects only to the addresses it vetted, and bounds size, time and redirects.
 */
import dns, { type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

export interface UrlImportOptions {
  /** Allow private, loopback, link-local, unique-local, CGNAT, unspecified, multicast, reserved targets. */
  allowPrivate: boolean;
  /** Refuse bodies larger than this (check Content-Length up front AND count bytes while streaming, abort when exceeded). */
  maxBytes: number;
  /** Whole-fetch time limit including redirects. */
  timeoutMs: number;
  /** Default 5. */
  maxRedirects?: number;
}

export interface ImportedFile {
  bytes: Buffer;
  fileName: string;
  contentType: string | null;
  finalUrl: string;
}

export type ImportRefusalCode = 'BAD_URL' | 'PRIVATE_ADDRESS' | 'TOO_LARGE' | 'HTTP_STATUS' | 'TIMEOUT' | 'TOO_MANY_REDIRECTS' | 'NETWORK';

export class UrlImportError extends Error {
  constructor(
    readonly code: ImportRefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'UrlImportError';
  }
}

const DEFAULT_MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'gongkai-url-import';
const FALLBACK_FILE_NAME = 'import';
const MAX_FILE_NAME_LENGTH = 200;
/** Longer "extensions" are just a dot inside the name, not worth keeping when truncating. */
const MAX_KEPT_EXTENSION_LENGTH = 10;
const UNSAFE_FILE_NAME_CHARACTERS = /[/\\:*?"<>|\x00-\x1f\x7f]/g;
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/** True only for globally routable unicast addresses; an IPv4-mapped IPv6 address is judged as its IPv4 address. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  if (parsed.range() !== 'unicast') return false;
  // IANA hands out global unicast only from 2000::/3; the rest (e.g. deprecated IPv4-compatible ::7f00:1) is not public.
  return parsed.kind() === 'ipv4' || parsed.match(GLOBAL_UNICAST_V6);
}

/** Fetches the file at `url`, following redirects, or throws a UrlImportError saying why it was refused. */
export async function fetchForImport(url: string, options: UrlImportOptions): Promise<ImportedFile> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      // Reject first, so the race reports the timeout rather than the abort it causes.
      reject(new UrlImportError('TIMEOUT', `${url} did not finish within ${options.timeoutMs} ms.`));
      controller.abort();
    }, options.timeoutMs);
  });
  try {
    // DNS lookups cannot be aborted, hence the race; the abort tears down any request in flight.
    return await Promise.race([fetchFollowingRedirects(url, options, controller.signal), deadline]);
  } catch (error) {
    if (error instanceof UrlImportError) throw error;
    throw new UrlImportError('NETWORK', `${url} could not be fetched: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

async function fetchFollowingRedirects(url: string, options: UrlImportOptions, signal: AbortSignal): Promise<ImportedFile> {
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  let current = parseImportUrl(url);
  for (let redirects = 0; ; redirects++) {
    const addresses = await vettedAddresses(current, options.allowPrivate);
    const response = await sendRequest(current, addresses, signal);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (REDIRECT_STATUSES.has(status) && location) {
      response.destroy();
      if (redirects >= maxRedirects) throw new UrlImportError('TOO_MANY_REDIRECTS', `${url} redirected more than ${maxRedirects} times.`);
      current = parseImportUrl(location, current);
      continue;
    }
    if (status < 200 || status > 299) {
      response.destroy();
      throw new UrlImportError('HTTP_STATUS', `${current.href} answered with HTTP status ${status}.`);
    }
    if (Number(response.headers['content-length']) > options.maxBytes) {
      response.destroy();
      throw tooLarge(current, options.maxBytes);
    }
    return {
      bytes: await readLimitedBody(response, current, options.maxBytes),
      fileName: fileNameFor(response.headers['content-disposition'], current),
      contentType: response.headers['content-type'] ?? null,
      finalUrl: current.href,
    };
  }
}

function parseImportUrl(input: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(input, base);
  } catch {
    throw new UrlImportError('BAD_URL', `${input} is not a valid URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UrlImportError('BAD_URL', `Only http and https URLs can be imported, not ${url.protocol}`);
  }
  if (url.username || url.password) throw new UrlImportError('BAD_URL', 'URLs with a user name or password are not imported.');
  return url;
}

/** The addresses to connect to: every one must be public, or a hostile DNS answer could mix in an internal one. */
async function vettedAddresses(url: URL, allowPrivate: boolean): Promise<LookupAddress[]> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const family = net.isIP(host);
  const addresses = family ? [{ address: host, family }] : await lookupHost(host);
  if (!allowPrivate) {
    const privateAddress = addresses.find(({ address }) => !isPublicAddress(address));
    if (privateAddress) throw new UrlImportError('PRIVATE_ADDRESS', `${host} resolves to ${privateAddress.address}, which is not a public address.`);
  }
  return addresses;
}

async function lookupHost(host: string): Promise<LookupAddress[]> {
  try {
    const addresses = await dns.promises.lookup(host, { all: true });
    if (addresses.length > 0) return addresses;
  } catch (error) {
    throw new UrlImportError('NETWORK', `${host} could not be resolved: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  throw new UrlImportError('NETWORK', `${host} could not be resolved: no addresses.`);
}

/** Answers the socket's own lookup with the vetted addresses, so a second DNS answer (rebinding) is never used. */
function pinnedLookup(addresses: LookupAddress[]): net.LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  };
}

function sendRequest(url: URL, addresses: LookupAddress[], signal: AbortSignal): Promise<http.IncomingMessage> {
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    // No shared agent: a pooled socket may be connected to an address vetted under other options, and none should outlive the fetch.
    const outgoing = request(url, { agent: false, lookup: pinnedLookup(addresses), signal, headers: { 'user-agent': USER_AGENT } }, resolve);
    outgoing.on('error', reject);
    outgoing.end();
  });
}

async function readLimitedBody(response: http.IncomingMessage, url: URL, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) {
      response.destroy();
      throw tooLarge(url, maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, received);
}

function tooLarge(url: URL, maxBytes: number): UrlImportError {
  return new UrlImportError('TOO_LARGE', `${url.href} is larger than the limit of ${maxBytes} bytes.`);
}

function fileNameFor(contentDisposition: string | undefined, url: URL): string {
  return safeFileName(dispositionFileName(contentDisposition)) ?? safeFileName(lastPathSegment(url)) ?? FALLBACK_FILE_NAME;
}

function dispositionFileName(header: string | undefined): string | null {
  if (!header) return null;
  const extended = /filename\*\s*=\s*UTF-8'[^']*'([^;\s]+)/i.exec(header);
  if (extended) return percentDecoded(extended[1]);
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header);
  if (!plain) return null;
  return utf8Recovered(plain[1]?.replace(/\\(.)/g, '$1') ?? plain[2]);
}

/** Node reads header bytes as latin1; servers that put raw UTF-8 in filename="..." (common on Chinese sites) need it read again. */
function utf8Recovered(value: string): string {
  if (!/[\x80-\xff]/.test(value) || /[^\x00-\xff]/.test(value)) return value;
  const decoded = Buffer.from(value, 'latin1').toString('utf8');
  return decoded.includes('\uFFFD') ? value : decoded;
}

function lastPathSegment(url: URL): string | null {
  const segment = url.pathname.split('/').filter(Boolean).at(-1);
  return segment === undefined ? null : percentDecoded(segment);
}

function percentDecoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The base name without characters file systems or shells trip over; null when nothing usable is left. */
function safeFileName(name: string | null): string | null {
  if (name === null) return null;
  const baseName = name.split(/[/\\]/).at(-1) ?? '';
  const cleaned = baseName.replace(UNSAFE_FILE_NAME_CHARACTERS, '').trim();
  if (/^\.*$/.test(cleaned)) return null;
  return truncatedFileName(cleaned);
}

/** Cuts by code points (not UTF-16 units) and keeps a short extension: ingest falls back to it to tell the file type. */
function truncatedFileName(name: string): string {
  const characters = Array.from(name);
  if (characters.length <= MAX_FILE_NAME_LENGTH) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= MAX_KEPT_EXTENSION_LENGTH ? Array.from(name.slice(dot)) : [];
  return characters.slice(0, MAX_FILE_NAME_LENGTH - extension.length).join('') + extension.join('');
}
