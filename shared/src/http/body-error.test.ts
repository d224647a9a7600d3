import { Readable } from 'node:stream';
import express from 'express';
import { UnreadableBodyError, bodyReader, unreadableBody } from './body-error';

/** Runs `mw` on a request of `body` with `headers` (a stream, no server) and returns what it passed to next. */
function run(mw: express.RequestHandler, headers: Record<string, string>, body = '{}'): Promise<unknown> {
  return new Promise((resolve) => {
    const req = Object.assign(Readable.from([Buffer.from(body)]), { headers: { 'content-length': String(body.length), ...headers } }) as unknown as express.Request;
    mw(req, {} as express.Response, resolve);
  });
}

describe('unreadableBody', () => {
  it.each([
    [{ type: 'entity.too.large', status: 413 }, 413, 'payload_too_large', ''],
    [{ type: 'entity.parse.failed', status: 400 }, 400, 'invalid_json', ''],
    [{ type: 'charset.unsupported', status: 415 }, 415, 'unsupported_charset', 'content-type'],
    [{ type: 'encoding.unsupported', status: 415 }, 415, 'unsupported_content_encoding', 'content-encoding'],
    [{ status: 400, code: 'Z_BUF_ERROR' }, 400, 'bad_content_encoding', 'content-encoding'],
    [{ status: 400, code: 'ERR__ERROR_FORMAT_PADDING_2' }, 400, 'bad_content_encoding', 'content-encoding'],
    [{ type: 'request.size.invalid', status: 400 }, 400, 'bad_content_length', 'content-length'],
  ])('classifies %p', (err, status, code, field) => {
    expect(unreadableBody(err)).toMatchObject({ status, code, field });
  });

  it('leaves our own errors and bugs alone', () => {
    expect(unreadableBody(new Error('boom'))).toBeUndefined();
    expect(unreadableBody({ type: 'stream.encoding.set', status: 500 })).toBeUndefined();
    expect(unreadableBody({ type: '__proto__', status: 400 })).toBeUndefined();
  });
});

describe('bodyReader', () => {
  it('turns a charset nobody knows into a 415 naming the header', async () => {
    const err = await run(bodyReader(express.text({ type: () => true })), { 'content-type': 'text/plain; charset=klingon' });
    expect(err).toBeInstanceOf(UnreadableBodyError);
    expect(err).toMatchObject({ status: 415, code: 'unsupported_charset', field: 'content-type' });
  });

  it('turns malformed JSON into a 400 naming the body', async () => {
    expect(await run(bodyReader(express.json()), { 'content-type': 'application/json' }, '{"a":')).toMatchObject({ status: 400, code: 'invalid_json', field: '' });
  });

  it('turns a body over the limit into a 413', async () => {
    expect(await run(bodyReader(express.json({ limit: 10 })), { 'content-type': 'application/json' }, JSON.stringify({ a: 'x'.repeat(20) }))).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('turns a charset JSON may not use into a 415', async () => {
    const err = await run(bodyReader(express.json()), { 'content-type': 'application/json; charset=latin1' });
    expect(err).toMatchObject({ status: 415, code: 'unsupported_charset' });
  });

  it('passes a bug of ours through unchanged', async () => {
    const bug = new Error('bug');
    const err = await run(bodyReader(() => {
      throw bug;
    }), {});
    expect(err).toBe(bug);
  });
});
