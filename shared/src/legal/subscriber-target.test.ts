import { isE164, normalizeTarget } from './subscriber-target';

describe('normalizeTarget', () => {
  it('takes the separators orders write phone numbers with out, and accepts only E.164', () => {
    expect(normalizeTarget({ kind: 'phone_number', value: ' +49 (151) 123-456.78 ' })).toEqual({ ok: true, value: '+4915112345678' });
    expect(normalizeTarget({ kind: 'phone_number', value: '+7\u00a0701 123 45 67' })).toEqual({ ok: true, value: '+77011234567' });
    for (const bad of ['4915112345678', '0049151123456', '+0151123456', '+12345', '+1234567890123456', '+49 151 CALL ME', '']) {
      const r = normalizeTarget({ kind: 'phone_number', value: bad });
      expect(r.ok).toBe(false);
      // Reasons may reach logs: they never repeat the value.
      if (!r.ok && bad.length > 0) expect(r.reason).not.toContain(bad);
    }
  });

  it('drops a username’s leading @ and refuses spaces and control characters', () => {
    expect(normalizeTarget({ kind: 'username', value: '@Mira.K' })).toEqual({ ok: true, value: 'Mira.K' });
    expect(normalizeTarget({ kind: 'username', value: 'two words' }).ok).toBe(false);
    expect(normalizeTarget({ kind: 'username', value: '@' }).ok).toBe(false);
    expect(normalizeTarget({ kind: 'username', value: 'a\u0000b' }).ok).toBe(false);
  });

  it('keeps account and content ids as they are, within Elasticsearch’s 512-byte id', () => {
    expect(normalizeTarget({ kind: 'account_id', value: ' user-12 ' })).toEqual({ ok: true, value: 'user-12' });
    expect(normalizeTarget({ kind: 'content_id', value: 'post-000001' })).toEqual({ ok: true, value: 'post-000001' });
    expect(normalizeTarget({ kind: 'content_id', value: 'é'.repeat(257) }).ok).toBe(false);
    expect(normalizeTarget({ kind: 'account_id', value: '' }).ok).toBe(false);
    expect(normalizeTarget({ kind: 'nickname' as never, value: 'x' })).toEqual({ ok: false, reason: 'unknown target kind' });
  });

  it('isE164: a plus, no leading zero, 7 to 15 digits', () => {
    expect(['+4915112345678', '+14155550123', '+6834002', '+123456789012345'].every(isE164)).toBe(true);
    expect(['+49 151', '+04915112345', '+1234567890123456', '+12345', 'tel:+4915112345678'].some(isE164)).toBe(false);
  });
});
