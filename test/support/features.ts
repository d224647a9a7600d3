import type { Pipeline } from './pipeline';

/** A switch off in one country (on elsewhere, fail closed), as the tests write them. */
export function offIn(country: string, o: { id: string; description: string; reason: string; legalBasis: { text: string; reference: string } }): Record<string, unknown> {
  return { description: o.description, default: 'on', failMode: 'closed', rules: [{ id: o.id, countries: [country], state: 'off', reason: o.reason, legalBasis: o.legalBasis }] };
}

/** Puts each feature in the draft and publishes once with `note`; the new version. */
export async function publishFeatures(p: Pipeline, token: string, features: Record<string, unknown>, note: string): Promise<number> {
  for (const [key, body] of Object.entries(features)) {
    const put = await p.call('PUT', `/v1/features/draft/${key}`, token, body);
    if (put.status !== 200 && put.status !== 201) throw new Error(`PUT ${key}: ${put.status} ${JSON.stringify(put.body)}`);
  }
  const pub = await p.call('POST', '/v1/features/publish', token, { note });
  if (pub.status !== 201) throw new Error(`publish: ${pub.status} ${JSON.stringify(pub.body)}`);
  return pub.body.version as number;
}
