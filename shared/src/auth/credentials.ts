const SCHEME = /^(Bearer|ApiKey) ([A-Za-z0-9_\-.~+/]+=*)$/;

/**
 * The token in an Authorization header: `Bearer <token>`, or `ApiKey <token>`
 * (what an Elasticsearch client sends when configured with `auth: { apiKey }`).
 * Undefined when absent or malformed.
 */
export function credentialsFrom(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = SCHEME.exec(header.trim());
  return m?.[2];
}
