/**
 * A request body the HTTP layer could not read (body-parser, raw-body,
 * zlib): too large (413), a charset or Content-Encoding it does not match,
 * an aborted upload. The client's fault, so a 4xx; undefined for anything
 * else. Callers map their own TakedownErrors first.
 */
export function unreadableBody(err: unknown): { status: number; tooLarge: boolean; what: string } | undefined {
  const e = err as { type?: unknown; status?: unknown } | null;
  if (e?.type === 'entity.too.large') return { status: 413, tooLarge: true, what: 'entity.too.large' };
  if (e === null || typeof e !== 'object' || typeof e.status !== 'number' || e.status < 400 || e.status >= 500) return undefined;
  return { status: e.status, tooLarge: e.type === 'entity.too.large', what: typeof e.type === 'string' ? e.type.replace(/[^a-z.]/g, '') : 'bad encoding' };
}
