import type { PersonRecord, TokenStore } from '@takedown/shared';
import { runTakedown } from '../../test/support/cli-harness';

/** A token store whose people store records what the commands hand it. */
function recordingStore() {
  const seen: { create?: unknown; update?: unknown } = {};
  const person = (over: Partial<PersonRecord>): PersonRecord => ({ id: 'alice', displayName: 'Alice', roles: ['moderator'], grants: {}, createdAt: 't', createdBy: 'cli:test', ...over });
  const store = {
    people: {
      create: async (input: Record<string, unknown>) => ((seen.create = input), person(input as Partial<PersonRecord>)),
      update: async (_id: string, patch: Record<string, unknown>) => ((seen.update = patch), person({})),
    },
    revokeOutsideRoles: async () => 0,
  } as unknown as TokenStore;
  return { seen, tokenStore: async () => store };
}

describe('person create and update: options go through the API’s schemas by field', () => {
  it('create: grants into grants, every other field onto the person', async () => {
    const { seen, tokenStore } = recordingStore();
    const r = await runTakedown(['person', 'create', '--id', 'alice', '--name', 'Alice', '--role', 'reporter', '--role', 'moderator', '--email', 'a@example.org', '--csam', '--standing', 'trusted_flagger'], { tokenStore });
    expect([r.code, r.stdout]).toEqual([0, 'alice\n']);
    expect(seen.create).toEqual({ id: 'alice', displayName: 'Alice', roles: ['reporter', 'moderator'], email: 'a@example.org', grants: { csam: true, standing: 'trusted_flagger' } });
  });

  it('update: only what is given; none clears, on and off are booleans', async () => {
    const { seen, tokenStore } = recordingStore();
    const r = await runTakedown(['person', 'update', 'alice', '--email', 'none', '--csam', 'off', '--standing', 'none', '--json'], { tokenStore });
    expect(r.code).toBe(0);
    expect(seen.update).toEqual({ email: null, csam: false, standing: null });
    expect(JSON.parse(r.stdout)).toEqual({ person: expect.objectContaining({ id: 'alice' }), tokensRevoked: 0 });
  });
});
