import { loadConfig } from '../../shared/config';
import { printableUrl, queuePrefixFor, redisClusterAddress } from '../../shared/redis';

describe('Redis Cluster configuration', () => {
  test('a redis-cluster:// URL lists seed nodes and credentials', () => {
    expect(redisClusterAddress('redis-cluster://10.0.0.1:7000,10.0.0.2,[::1]:7002/0')).toEqual({
      seeds: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
        { host: '::1', port: 7002 },
      ],
      tls: false,
    });
    expect(redisClusterAddress('rediss-cluster://gongkai:p%40ss@redis-a:6380,redis-b:6380')).toEqual({
      seeds: [
        { host: 'redis-a', port: 6380 },
        { host: 'redis-b', port: 6380 },
      ],
      username: 'gongkai',
      password: 'p@ss',
      tls: true,
    });
  });

  test('any other URL is no cluster, and a malformed cluster URL is refused', () => {
    expect(redisClusterAddress('redis://127.0.0.1:6379')).toBeNull();
    for (const url of ['redis-cluster://', 'redis-cluster://a:1,', 'redis-cluster://a:1/2', 'redis-cluster://a:port']) {
      expect(() => redisClusterAddress(url)).toThrow(/REDIS_URL .*redis-cluster:\/\//);
    }
  });

  test('a cluster password is masked when printed', () => {
    expect(printableUrl('redis-cluster://:s3cr@t@a:1,b:2')).toBe('redis-cluster://:***@a:1,b:2');
    expect(printableUrl('redis-cluster://user:pw@a:1')).toBe('redis-cluster://user:***@a:1');
    expect(printableUrl('redis-cluster://a:1,b:2')).toBe('redis-cluster://a:1,b:2');
  });

  test('on a cluster the queue prefix becomes a hash tag; on one Redis it stays as given', () => {
    expect(queuePrefixFor(undefined, 'gongkai')).toBe('gongkai');
    expect(queuePrefixFor('redis://h:1', 'gongkai')).toBe('gongkai');
    expect(queuePrefixFor('redis-cluster://h:1', 'gongkai')).toBe('{gongkai}');
    expect(queuePrefixFor('redis-cluster://h:1', '{office}')).toBe('{office}');
    expect(queuePrefixFor('redis-cluster://h:1', 'gk{office}')).toBe('gk{office}');
    // An empty tag hashes the whole key, so it is no tag.
    expect(queuePrefixFor('redis-cluster://h:1', '{}gk')).toBe('{{}gk}');
  });

  test('configuration reads the cluster from REDIS_URL', () => {
    expect(loadConfig({ REDIS_URL: 'redis-cluster://h:1,h:2' })).toMatchObject({ redisUrl: 'redis-cluster://h:1,h:2', queuePrefix: '{gongkai}' });
    expect(loadConfig({ REDIS_URL: 'redis://h:1' }).queuePrefix).toBe('gongkai');
    expect(() => loadConfig({ REDIS_URL: 'redis-cluster://h:1/3' })).toThrow('REDIS_URL');
  });
});
