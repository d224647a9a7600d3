import { ValidationError } from '../errors/takedown-error';
import { compileValidator } from './validator';

interface Thing {
  id: string;
  count?: number;
  nested: { tag: string };
}

const validate = compileValidator<Thing>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'nested'],
    properties: {
      id: { type: 'string', minLength: 1 },
      count: { type: 'integer', minimum: 0 },
      nested: {
        type: 'object',
        additionalProperties: false,
        required: ['tag'],
        properties: { tag: { type: 'string' } },
      },
    },
  },
  'thing',
);

function errorOf(input: unknown): ValidationError {
  try {
    validate(input);
  } catch (e) {
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('compileValidator', () => {
  it('returns valid input typed', () => {
    const t = validate({ id: 'a', nested: { tag: 'x' } });
    expect(t.nested.tag).toBe('x');
  });

  it('names a missing nested field', () => {
    const e = errorOf({ id: 'a', nested: {} });
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.field).toBe('/nested/tag');
    expect(e.message).toBe('thing: /nested/tag is required');
    expect(e.status).toBe(400);
  });

  it('names an unknown field', () => {
    const e = errorOf({ id: 'a', nested: { tag: 'x' }, admin: true });
    expect(e.field).toBe('/admin');
    expect(e.message).toMatch(/not an allowed field/);
  });

  it('names a wrongly typed field', () => {
    const e = errorOf({ id: 'a', count: -1, nested: { tag: 'x' } });
    expect(e.field).toBe('/count');
  });

  it('rejects non-objects at the root', () => {
    expect(errorOf('nope').message).toMatch(/thing: \(root\)/);
  });
});
