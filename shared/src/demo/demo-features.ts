/**
 * The feature switches `npm start` publishes on a fresh install: People
 * Nearby and Telegraph media uploads off everywhere (both were abused by
 * criminals), and one country-scoped example (live streams off in one
 * country by a court order). Each rule carries its reason and legal basis.
 */
export const DEMO_FEATURES = [
  {
    key: 'people_nearby',
    description: 'People Nearby: find users close to you by location',
    default: 'on',
    failMode: 'closed',
    rules: [
      {
        id: 'off-everywhere',
        state: 'off',
        reason: 'Used by criminals to locate and approach users; removed platform-wide',
        legalBasis: { text: 'Trust & safety decision: feature abused for stalking and drug sales', reference: 'TS-DEMO-2026-001' },
      },
    ],
    // The search service refuses geo searches on these fields while the feature is off.
    enforcement: { search: { geoFields: ['location', 'user.location'] } },
  },
  {
    key: 'telegraph_media_upload',
    description: 'Media uploads on the anonymous blogging tool',
    default: 'on',
    failMode: 'closed',
    rules: [
      {
        id: 'off-everywhere',
        state: 'off',
        reason: 'Anonymous media uploads were used to host illegal content',
        legalBasis: { text: 'Trust & safety decision: uploads disabled pending hash-matching at upload', reference: 'TS-DEMO-2026-002' },
      },
    ],
  },
  {
    key: 'live_streams',
    description: 'Live video streams',
    default: 'on',
    failMode: 'open',
    rules: [
      {
        id: 'br-court-order',
        countries: ['BR'],
        state: 'off',
        reason: 'Court order to suspend live streams in Brazil',
        legalBasis: { text: 'Order of a regional court (demo)', reference: 'DEMO-TJ-0001234-56.2026' },
      },
    ],
  },
] as const;

/** One call to the moderation API with a lead's token: `(method, path, body?) → { status, body }`. */
export type ApiCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;

/**
 * Publishes DEMO_FEATURES through the moderation API (draft, then one
 * audited publish with a note), as a lead would, unless some version of the
 * switches is already published: a restart keeps the leads' own edits.
 * Returns the version published, or undefined when it left things alone.
 */
export async function publishDemoFeatures(call: ApiCall): Promise<number | undefined> {
  const live = await call('GET', '/v1/features');
  if (live.status !== 200) throw new Error(`GET /v1/features answered ${live.status}`);
  if ((live.body as { version?: number | null }).version != null) return undefined;
  for (const f of DEMO_FEATURES) {
    const { key, ...rest } = f;
    const put = await call('PUT', `/v1/features/draft/${key}`, rest);
    if (put.status !== 200 && put.status !== 201) throw new Error(`demo feature ${key}: ${put.status} ${JSON.stringify(put.body).slice(0, 300)}`);
  }
  const pub = await call('POST', '/v1/features/publish', { note: 'Demo: People Nearby and Telegraph media uploads off everywhere; live streams off in BR by court order' });
  if (pub.status !== 201) throw new Error(`demo features publish: ${pub.status} ${JSON.stringify(pub.body).slice(0, 300)}`);
  return (pub.body as { version: number }).version;
}
