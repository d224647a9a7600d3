import { request, type Agent } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

/**
 * One request exactly as given: any method with a body, any Content-Type,
 * Content-Encoding or Content-Length (fetch would correct or refuse them).
 * With a keep-alive `agent` the connection is reused (the fault suite sends
 * hundreds of thousands); without one each request closes its own.
 */
export function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: string | Buffer, agent?: Agent): Promise<RawAnswer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ...(agent ? { agent } : {}), headers: { ...(agent ? {} : { connection: 'close' }), ...(body === undefined || 'content-length' in headers ? {} : { 'content-length': String(Buffer.byteLength(body)) }), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    // A server may answer (413, 401) and close before it read everything we send: that answer is what we test.
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
