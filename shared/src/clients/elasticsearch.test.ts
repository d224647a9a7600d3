import { createElasticsearch, elasticsearchNodes } from './elasticsearch';

// Building a client opens no connection, so this needs no server.
describe('createElasticsearch', () => {
  const base = { requestTimeoutMs: 1000, replicas: 0 };

  it('splits a comma-separated ELASTICSEARCH_URL into nodes', () => {
    expect(elasticsearchNodes('http://a:9200, http://b:9201,')).toEqual(['http://a:9200', 'http://b:9201']);
  });

  it('gives the client every node of a list, one connection each', async () => {
    const client = createElasticsearch({ ...base, url: 'http://127.0.0.1:9320,http://127.0.0.1:9321,http://127.0.0.1:9322' });
    const urls = client.connectionPool.connections.map((c) => c.url.href);
    expect(urls).toEqual(['http://127.0.0.1:9320/', 'http://127.0.0.1:9321/', 'http://127.0.0.1:9322/']);
    await client.close();
  });

  it('keeps a single URL a single node', async () => {
    const client = createElasticsearch({ ...base, url: 'http://127.0.0.1:9200' });
    expect(client.connectionPool.connections.map((c) => c.url.href)).toEqual(['http://127.0.0.1:9200/']);
    await client.close();
  });
});
