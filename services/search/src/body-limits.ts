import express, { type RequestHandler } from 'express';
import { bodyReader } from '@takedown/shared';

/**
 * How many bytes of body each route reads, after authentication. A search
 * body is a query, not a data set: 2 MB holds a terms list of tens of
 * thousands of ids. An msearch carries several of them.
 */
export const SEARCH_BODY_LIMIT = 2 * 1024 * 1024;
export const MSEARCH_BODY_LIMIT = 8 * 1024 * 1024;

/** A Content-Type with no parameters, or with only `charset=utf-8`: the text is UTF-8 as it stands. */
const PLAIN_UTF8 = /^[^;]*(;\s*charset="?utf-?8"?\s*)?$/i;
const LENGTH = /^[0-9]{1,10}$/;

/**
 * The raw text of the body (any Content-Type: Elasticsearch clients send
 * several), errors classified for the ES shape. A body as searches send it
 * (a Content-Length within the limit, no Content-Encoding, UTF-8) is read
 * here, chunks gathered and decoded once; anything else (chunked, gzip,
 * another charset, too large) goes to body-parser, which answers each
 * case as before. body-parser and raw-body cost about 5 % of the search
 * service's CPU on the common case.
 */
export function readText(limit: number): RequestHandler {
  const full = express.text({ type: () => true, limit });
  return bodyReader((req, res, next) => {
    const h = req.headers;
    const length = h['content-length'];
    const type = h['content-type'];
    const encoding = h['content-encoding'];
    if (
      length === undefined ||
      h['transfer-encoding'] !== undefined ||
      !LENGTH.test(length) ||
      Number(length) > limit ||
      (encoding !== undefined && encoding.toLowerCase() !== 'identity') ||
      (type !== undefined && !PLAIN_UTF8.test(type))
    ) {
      return full(req, res, next);
    }
    readWhole(req, Number(length), (err, text) => {
      if (err !== undefined) return next(err);
      (req as { body?: unknown }).body = text;
      next();
    });
  });
}

/** Reads exactly `length` bytes (Node's parser delivers no more); an aborted upload is raw-body's `request.aborted`. */
function readWhole(req: express.Request, length: number, done: (err: unknown, text?: string) => void): void {
  if (length === 0) return done(undefined, '');
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const finish = (err: unknown, text?: string) => {
    if (settled) return;
    settled = true;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onAbort);
    req.off('close', onAbort);
    done(err, text);
  };
  const onData = (c: Buffer) => {
    chunks.push(c);
    size += c.length;
  };
  const onEnd = () => {
    const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    if (size !== length) return finish(Object.assign(new Error('request size did not match content length'), { type: 'request.size.invalid', status: 400 }));
    // As iconv-lite's UTF-8 decoder in body-parser: a leading byte-order mark is dropped.
    const text = buf.toString('utf8');
    finish(undefined, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  };
  const onAbort = () => finish(Object.assign(new Error('request aborted'), { type: 'request.aborted', status: 400 }));
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onAbort);
  req.on('close', onAbort);
}
