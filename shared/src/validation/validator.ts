import Ajv, { type ErrorObject, type JSONSchemaType, type Schema } from 'ajv';
import addFormats from 'ajv-formats';
import { ValidationError } from '../errors/takedown-error';

/**
 * One Ajv instance per process: compiled validators are cached by schema,
 * and every schema shares the same formats and strictness.
 */
let shared: Ajv | undefined;

export function ajv(): Ajv {
  if (!shared) {
    shared = new Ajv({ allErrors: false, strict: true, useDefaults: true, coerceTypes: false });
    addFormats(shared);
  }
  return shared;
}

export type Validator<T> = ((input: unknown) => T) & { schema: Schema };

/** Compiles a schema into a function that returns the typed value or throws a ValidationError naming the field. */
export function compileValidator<T>(schema: JSONSchemaType<T> | Schema, what = 'request'): Validator<T> {
  const validate = ajv().compile<T>(schema as Schema);
  const fn = (input: unknown): T => {
    if (validate(input)) return input;
    const first = validate.errors?.[0];
    throw new ValidationError(describe(what, first), fieldOf(first));
  };
  return Object.assign(fn, { schema: schema as Schema });
}

/** JSON pointer of the field an Ajv error is about (the missing property for `required`). */
export function fieldOf(error: ErrorObject | undefined): string {
  if (!error) return '';
  if (error.keyword === 'required') return `${error.instancePath}/${String(error.params['missingProperty'])}`;
  if (error.keyword === 'additionalProperties') {
    return `${error.instancePath}/${String(error.params['additionalProperty'])}`;
  }
  return error.instancePath;
}

function describe(what: string, error: ErrorObject | undefined): string {
  if (!error) return `invalid ${what}`;
  const field = fieldOf(error) || '(root)';
  switch (error.keyword) {
    case 'required':
      return `${what}: ${field} is required`;
    case 'additionalProperties':
      return `${what}: ${field} is not an allowed field`;
    default:
      return `${what}: ${field} ${error.message ?? 'is invalid'}`;
  }
}
