/** URL import against a real local HTTP server: what it fetches, what it refuses, and that refusals happen before connecting. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchForImport, isPublicAddress, UrlImportError, type ImportRefusalCode, type UrlImportOptions } from '../../web/url-import';

const REPORT = Buffer.from('2023年政府信息公开工作年度报告\n一、总体情况\n', 'utf8');
const MAX_BYTES = 4096;
const LOCAL: UrlImportOptions = { allowPrivate: true, maxBytes: MAX_BYTES, timeoutMs: 5000 };
const PUBLIC_ONLY: UrlImportOptions = { ...LOCAL, allowPrivate: false };

function route(request: http.IncomingMessage, response: http.ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://local');
  const redirect = /^\/redirect\/(\d+)$/.exec(url.pathname);
  if (redirect) {
    const remaining = Number(redirect[1]);
    // Relative Locations, resolved against the current URL.
    response.writeHead(302, { location: remaining > 0 ? `./${remaining - 1}` : '/reports/%E5%B9%B4%E6%8A%A5.txt' }).end();
    return;
  }
  switch (url.pathname) {
    case '/reports/%E5%B9%B4%E6%8A%A5.txt':
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(REPORT);
      return;
    case '/download':
      response
        .writeHead(200, { 'content-disposition': `attachment; filename="fallback.txt"; filename*=UTF-8''${encodeURIComponent('政府信息公开年报.txt')}` })
        .end(REPORT);
      return;
    case '/download-raw-utf8':
      // Raw UTF-8 bytes in the quoted name, as many Chinese servers send them (Node writes header strings as latin1).
      response.writeHead(200, { 'content-disposition': `attachment; filename="${Buffer.from('年报.txt').toString('latin1')}"` }).end(REPORT);
      return;
    case '/download-traversal':
      response.writeHead(200, { 'content-disposition': 'attachment; filename="../../etc/re:port*2023?.txt"' }).end(REPORT);
      return;
    case '/echo-host':
      response.writeHead(200).end(request.headers.host);
      return;
    case '/loop':
      response.writeHead(302, { location: '/loop' }).end();
      return;
    case '/to-ftp':
      response.writeHead(301, { location: 'ftp://example.com/report.pdf' }).end();
      return;
    case '/big-declared':
      response.writeHead(200, { 'content-length': String(MAX_BYTES * 4) }).end(Buffer.alloc(MAX_BYTES * 4));
      return;
    case '/big-chunked':
      response.writeHead(200);
      for (let index = 0; index < 16; index++) response.write(Buffer.alloc(1024));
      response.end();
      return;
    case '/stall-body':
      response.writeHead(200);
      response.write('partial');
      return;
    case '/hang':
      return;
    default:
      response.writeHead(404).end('not found');
  }
}

async function refusal(promise: Promise<unknown>): Promise<UrlImportError> {
  const error = await promise.then(
    () => new Error('expected the import to be refused'),
    (rejection: unknown) => rejection,
  );
  if (!(error instanceof UrlImportError)) throw error;
  return error;
}

async function expectRefused(promise: Promise<unknown>, code: ImportRefusalCode, messagePart?: string): Promise<void> {
  const error = await refusal(promise);
  expect(error.code).toBe(code);
  if (messagePart) expect(error.message).toContain(messagePart);
}

describe('URL import', () => {
  const server = http.createServer(route);
  let origin: string;
  let connections = 0;
  server.on('connection', () => connections++);

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    // The hanging and stalled routes leave connections open; end them so the server can close.
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  test('fetches a file from the local server when private targets are allowed, named by its percent-decoded path', async () => {
    const file = await fetchForImport(`${origin}/reports/%E5%B9%B4%E6%8A%A5.txt`, LOCAL);
    expect(file.bytes.equals(REPORT)).toBe(true);
    expect(file.fileName).toBe('年报.txt');
    expect(file.contentType).toBe('text/plain; charset=utf-8');
    expect(file.finalUrl).toBe(`${origin}/reports/%E5%B9%B4%E6%8A%A5.txt`);
  });

  test('names the file from Content-Disposition, preferring filename* and recovering raw UTF-8 names', async () => {
    expect((await fetchForImport(`${origin}/download?id=7`, LOCAL)).fileName).toBe('政府信息公开年报.txt');
    expect((await fetchForImport(`${origin}/download-raw-utf8`, LOCAL)).fileName).toBe('年报.txt');
  });

  test('strips directory parts and unsafe characters from the name', async () => {
    expect((await fetchForImport(`${origin}/download-traversal`, LOCAL)).fileName).toBe('report2023.txt');
  });

  test('connects to the vetted address but keeps the original host name in the Host header', async () => {
    const { port } = server.address() as AddressInfo;
    const file = await fetchForImport(`http://localhost:${port}/echo-host`, LOCAL);
    expect(file.bytes.toString()).toBe(`localhost:${port}`);
    expect(file.fileName).toBe('echo-host');
  });

  test('refuses private, loopback, link-local and IPv4-mapped targets before connecting', async () => {
    const connectionsBefore = connections;
    await expectRefused(fetchForImport(`${origin}/reports/%E5%B9%B4%E6%8A%A5.txt`, PUBLIC_ONLY), 'PRIVATE_ADDRESS', '127.0.0.1');
    await expectRefused(fetchForImport('http://localhost/', PUBLIC_ONLY), 'PRIVATE_ADDRESS', 'localhost');
    // A long timeout: these must fail on the address check, not by waiting on the network.
    const literalTargets = ['http://[::1]/', 'http://169.254.169.254/', 'http://10.0.0.1/', 'http://[::ffff:127.0.0.1]/', 'http://0x7f.1/'];
    for (const url of literalTargets) {
      await expectRefused(fetchForImport(url, { ...PUBLIC_ONLY, timeoutMs: 60_000 }), 'PRIVATE_ADDRESS');
    }
    expect(connections).toBe(connectionsBefore);
  });

  test('refuses other schemes, credentials and unparsable URLs', async () => {
    for (const url of ['ftp://example.com/report.pdf', 'file:///etc/passwd', 'javascript:alert(1)', 'http://user:pw@example.com/', 'not a url']) {
      await expectRefused(fetchForImport(url, PUBLIC_ONLY), 'BAD_URL');
    }
  });

  test('follows a redirect chain to the file, within maxRedirects', async () => {
    const file = await fetchForImport(`${origin}/redirect/2`, { ...LOCAL, maxRedirects: 3 });
    expect(file.bytes.equals(REPORT)).toBe(true);
    expect(file.fileName).toBe('年报.txt');
    expect(file.finalUrl).toBe(`${origin}/reports/%E5%B9%B4%E6%8A%A5.txt`);
    await expectRefused(fetchForImport(`${origin}/redirect/2`, { ...LOCAL, maxRedirects: 2 }), 'TOO_MANY_REDIRECTS');
  });

  test('stops a redirect loop', async () => {
    await expectRefused(fetchForImport(`${origin}/loop`, LOCAL), 'TOO_MANY_REDIRECTS', 'more than 5');
  });

  test('validates every redirect target', async () => {
    await expectRefused(fetchForImport(`${origin}/to-ftp`, LOCAL), 'BAD_URL', 'ftp:');
  });

  test('reports a non-2xx status', async () => {
    await expectRefused(fetchForImport(`${origin}/missing.pdf`, LOCAL), 'HTTP_STATUS', '404');
  });

  test('refuses a body over maxBytes, declared or chunked', async () => {
    await expectRefused(fetchForImport(`${origin}/big-declared`, LOCAL), 'TOO_LARGE');
    await expectRefused(fetchForImport(`${origin}/big-chunked`, LOCAL), 'TOO_LARGE');
  });

  test('times out on a server that never answers, or stops sending the body', async () => {
    await expectRefused(fetchForImport(`${origin}/hang`, { ...LOCAL, timeoutMs: 300 }), 'TIMEOUT', '300 ms');
    await expectRefused(fetchForImport(`${origin}/stall-body`, { ...LOCAL, timeoutMs: 300 }), 'TIMEOUT');
  });

  test('reports a refused connection as a network error', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await expectRefused(fetchForImport(`http://127.0.0.1:${port}/`, LOCAL), 'NETWORK');
  });
});

describe('isPublicAddress', () => {
  test.each(['8.8.8.8', '2001:4860:4860::8888'])('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  test.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '100.64.0.1',
    '169.254.169.254',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
    '::7f00:1',
    'not an address',
  ])('%s is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});
