import express, { type RequestHandler } from 'express';
import { bodyReader } from '@takedown/shared';

/**
 * How many bytes of body each route reads, after authentication. A search
 * body is a query, not a data set: 2 MB holds a terms list of tens of
 * thousands of ids. An msearch carries several of them.
 */
export const SEARCH_BODY_LIMIT = '2mb';
export const MSEARCH_BODY_LIMIT = '8mb';

/** The raw text of the body (any Content-Type: Elasticsearch clients send several), errors classified for the ES shape. */
export function readText(limit: string): RequestHandler {
  return bodyReader(express.text({ type: () => true, limit }));
}
