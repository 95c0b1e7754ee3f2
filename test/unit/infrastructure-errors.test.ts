/** Which failures the job layer waits out (a service away) and which count against the document. */
import { InfrastructureError, PermanentError, isInfrastructureError } from '../../shared/errors';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isInfrastructureError', () => {
  test.each([
    ['pg: server stopped (Node wraps both address families)', new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED'), withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')])],
    ['pg: terminating connection due to administrator command', withCode('terminating connection due to administrator command', '57P01')],
    ['pg: the database system is starting up', withCode('the database system is starting up', '57P03')],
    ['pg: too many connections', withCode('sorry, too many clients already', '53300')],
    ['pg-pool: the connection went away mid-query', new Error('Connection terminated unexpectedly')],
    ['ioredis: the connection is gone', new Error('Connection is closed.')],
    ['a wrapped socket error', new Error('query failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') })],
    ['the blob store', new InfrastructureError('blob-store', 'cannot read blob')],
  ])('%s is an outage', (_name, error) => {
    expect(isInfrastructureError(error)).toBe(true);
  });

  test.each([
    ['a damaged file', new PermanentError('CORRUPT_FILE', 'bad xref table')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'text')")],
    ['a constraint violation', withCode('duplicate key value violates unique constraint', '23505')],
    ['not an error at all', 'ECONNREFUSED'],
  ])('%s is not', (_name, error) => {
    expect(isInfrastructureError(error)).toBe(false);
  });
});
