import { ValidationError } from '@takedown/shared';
import { validateCaseListQuery, validateDecisionBody, validateExportQuery, validateReportBody, validateTokenBody } from './schemas';

const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.field;
    throw err;
  }
  return undefined;
};

describe('moderation API request schemas', () => {
  const decision = { leaseToken: 't', action: 'remove', category: 'drugs', legalGround: 'Sale of drugs' };

  it('accepts a well-formed decision, and countries only with restrict', () => {
    expect(validateDecisionBody(decision)).toEqual(decision);
    expect(validateDecisionBody({ ...decision, action: 'restrict', countries: ['DE'] }).countries).toEqual(['DE']);
    expect(fieldOf(() => validateDecisionBody({ ...decision, action: 'restrict' }))).toBe('/countries');
    expect(fieldOf(() => validateDecisionBody({ ...decision, countries: ['DE'] }))).toBe('');
    expect(fieldOf(() => validateDecisionBody({ ...decision, action: 'restrict', countries: ['de'] }))).toBe('/countries/0');
    expect(fieldOf(() => validateDecisionBody({ ...decision, action: 'delete' }))).toBe('/action');
    expect(fieldOf(() => validateDecisionBody({ ...decision, legalGround: '' }))).toBe('/legalGround');
  });

  it('names the field of a bad report', () => {
    const report = { content: { id: 'p1', type: 'post', authorId: 'a1' }, reporter: { type: 'user' }, reason: 'drugs' };
    expect(validateReportBody(report)).toEqual(report);
    expect(fieldOf(() => validateReportBody({ ...report, content: { ...report.content, mediaSha256: ['xyz'] } }))).toBe('/content/mediaSha256/0');
    expect(fieldOf(() => validateReportBody({ ...report, reporter: { type: 'police' } }))).toBe('/reporter/type');
    expect(fieldOf(() => validateReportBody({ ...report, reportId: 'has space' }))).toBe('/reportId');
  });

  it('bounds list queries and token names', () => {
    expect(fieldOf(() => validateCaseListQuery({ size: '101' }))).toBe('/size');
    expect(fieldOf(() => validateCaseListQuery({ sort: 'random' }))).toBe('/sort');
    expect(fieldOf(() => validateCaseListQuery({ q: 'x' }))).toBe('/q');
    // Elasticsearch's result window: from + size ≤ 10,000, refused before Elasticsearch sees it.
    expect(fieldOf(() => validateCaseListQuery({ from: '9999', size: '100' }))).toBe('/from');
    expect(fieldOf(() => validateCaseListQuery({ from: '9951' }))).toBe('/from');
    expect(validateCaseListQuery({ from: '9900', size: '100' })).toMatchObject({ from: 9900, size: 100 });
    expect(fieldOf(() => validateCaseListQuery({ from: ['1', '2'] }))).toBe('/from');
    expect(fieldOf(() => validateCaseListQuery({ from: '-1' }))).toBe('/from');
    expect(fieldOf(() => validateExportQuery({ format: 'xml' }))).toBe('/format');
    expect(fieldOf(() => validateTokenBody({ role: 'root', name: 'x' }))).toBe('/role');
    expect(fieldOf(() => validateTokenBody({ role: 'lead', name: 'has space' }))).toBe('/name');
  });
});
