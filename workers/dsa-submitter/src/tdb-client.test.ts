import { isSafeTdbUrl } from './tdb-client';

describe('the Transparency Database URL', () => {
  it('is https, or plain http to this machine only (the bearer token travels in every call)', () => {
    expect(isSafeTdbUrl('https://transparency.dsa.ec.europa.eu')).toBe(true);
    expect(isSafeTdbUrl('http://127.0.0.1:8123')).toBe(true);
    expect(isSafeTdbUrl('http://localhost:8123/base')).toBe(true);
    expect(isSafeTdbUrl('http://[::1]:8123')).toBe(true);
    expect(isSafeTdbUrl('http://transparency.dsa.ec.europa.eu')).toBe(false);
    expect(isSafeTdbUrl('http://127.0.0.1.example.com')).toBe(false);
    expect(isSafeTdbUrl('ftp://127.0.0.1')).toBe(false);
  });
});
