import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { FEATURE_KEY_PATTERN, ValidationError } from '@takedown/shared';
import { ACCESS, type Endpoint } from '../access';
import { buildOpenApiDocument, openApiPath } from './build-document';
import { toJsonSchema2020 } from './json-schema-2020';
import { openApiShape } from './openapi-shape';
import { OPERATIONS } from './operations';

const doc = buildOpenApiDocument('0.0.0-test');
const endpoints = Object.keys(ACCESS) as Endpoint[];

/** A strict 2020-12 validator, as an OpenAPI 3.1 reader would use: every documented schema must compile here. */
function ajv2020(): Ajv2020 {
  const a = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(a);
  // OpenAPI's own annotation keyword inside schemas.
  a.addKeyword('example');
  return a;
}

/** Every documented path+method as "METHOD /path/:param", the ACCESS spelling. */
function documentedEndpoints(): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`),
  );
}

describe('OpenAPI document', () => {
  it('documents every ACCESS endpoint, and nothing ACCESS does not have', () => {
    const documented = documentedEndpoints();
    expect(documented.sort()).toEqual([...endpoints].sort());
    // The registry has no stale entries either (the type makes it total; this makes it exact).
    expect(Object.keys(OPERATIONS).sort()).toEqual([...endpoints].sort());
  });

  it('gives each endpoint its roles, and a bearer requirement unless public', () => {
    for (const endpoint of endpoints) {
      const [method, template] = endpoint.split(' ') as [string, string];
      const op = doc.paths[openApiPath(template).path]?.[method.toLowerCase()];
      const roles = ACCESS[endpoint];
      if (roles === 'public') {
        expect([endpoint, op?.['security']]).toEqual([endpoint, []]);
        expect(op?.['x-takedown-roles']).toBe('public');
        expect(op?.['responses']).not.toHaveProperty('401');
      } else {
        expect([endpoint, op?.['security']]).toEqual([endpoint, [{ bearer: [] }]]);
        expect(op?.['x-takedown-roles']).toEqual([...roles]);
        expect(op?.['responses']).toHaveProperty('401');
        expect(op?.['responses']).toHaveProperty('403');
      }
    }
  });

  it('has the structure of OpenAPI 3.1 (the parts we emit)', () => {
    const validate = ajv2020().compile(openApiShape);
    const ok = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // The shape check can fail: a path parameter that is not required is refused.
    const broken = structuredClone(doc);
    const op = broken.paths['/v1/cases/{caseId}']?.['get'] as { parameters: { required: boolean }[] };
    op.parameters[0]!.required = false;
    expect(validate(broken)).toBe(false);
  });

  it('names every path parameter, and each operation has a unique id', () => {
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(item)) {
        const params = ((op['parameters'] ?? []) as { name: string; in: string }[]).filter((p) => p.in === 'path').map((p) => p.name);
        expect(params).toEqual(inPath);
        ids.add(op['operationId'] as string);
      }
    }
    expect(ids.size).toBe(endpoints.length);
  });

  it('every schema in the document compiles as strict JSON Schema 2020-12, references resolve', () => {
    const a = ajv2020();
    let n = 0;
    for (const item of Object.values(doc.paths)) {
      for (const op of Object.values(item)) {
        for (const p of (op['parameters'] ?? []) as { schema: object }[]) (a.compile(p.schema), n++);
        const body = op['requestBody'] as { content: Record<string, { schema: object }> } | undefined;
        if (body) (a.compile(body.content['application/json']!.schema), n++);
      }
    }
    expect(n).toBeGreaterThan(50);
    a.compile((doc.components['schemas'] as Record<string, object>)['Error']!);
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const r of refs) {
      const pointer = JSON.parse(`{${r}}`).$ref as string;
      const target = pointer.slice(2).split('/').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
      expect([pointer, target]).toEqual([pointer, expect.anything()]);
    }
  });

  it('has an example for every body, valid with the validator the route uses and with the documented schema', () => {
    const a = ajv2020();
    const failures: string[] = [];
    let n = 0;
    for (const endpoint of endpoints) {
      const spec = OPERATIONS[endpoint];
      if (!spec.body) continue;
      n++;
      try {
        // The route's own validator (ajv's useDefaults may add defaults, so a copy).
        spec.body.validate(structuredClone(spec.body.example));
      } catch (err) {
        failures.push(`${endpoint} (route): ${(err as Error).message}`);
      }
      const [method, template] = endpoint.split(' ') as [string, string];
      const documented = doc.paths[openApiPath(template).path]?.[method.toLowerCase()]?.['requestBody'] as { content: Record<string, { schema: object; example: unknown }> };
      const media = documented.content['application/json']!;
      const check = a.compile(media.schema);
      if (!check(structuredClone(media.example))) failures.push(`${endpoint} (document): ${a.errorsText(check.errors)}`);
    }
    expect(failures).toEqual([]);
    expect(n).toBeGreaterThan(40);
  });

  it('example checks can fail: an unknown field is refused by the route validator', () => {
    const spec = OPERATIONS['POST /v1/reports'].body!;
    expect(() => spec.validate({ ...(spec.example as object), admin: true })).toThrow(ValidationError);
  });

  it('documents query parameters from the route validators, with their required flags', () => {
    const op = doc.paths['/v1/features/evaluate']?.['get'] as { parameters: { name: string; required: boolean }[] };
    expect(op.parameters.filter((p) => p.required).map((p) => p.name).sort()).toEqual(['country', 'platform']);
    expect(op.parameters.map((p) => p.name)).toContain('standing');
  });

  it('takes path parameter schemas from the route validator where there is one', () => {
    const op = doc.paths['/v1/features/draft/{featureKey}']?.['put'] as { parameters: { name: string; schema: { pattern?: string } }[] };
    expect(op.parameters[0]?.schema.pattern).toBe(FEATURE_KEY_PATTERN);
    // Every route validator named for path parameters covers exactly the parameters of its path.
    for (const endpoint of endpoints) {
      const v = OPERATIONS[endpoint].pathParams;
      if (!v) continue;
      const names = Object.keys((v.schema as { properties: object }).properties).sort();
      expect([endpoint, names]).toEqual([endpoint, openApiPath(endpoint.split(' ')[1]!).params.sort()]);
    }
  });

  it('leaves out what the server fills from the path or the token', () => {
    const body = doc.paths['/v1/rules/draft/{ruleId}']?.['put']?.['requestBody'] as { content: Record<string, { schema: { properties: object; required: string[] } }> };
    const schema = body.content['application/json']!.schema;
    expect(schema.properties).not.toHaveProperty('createdBy');
    expect(schema.required).not.toContain('id');
    expect(schema.required).toContain('pattern');
  });
});

describe('toJsonSchema2020', () => {
  it('rewrites draft-07 and ajv spellings, and copies', () => {
    const src = { $id: 'x/y', type: 'object', definitions: { a: { type: 'string', nullable: true } }, properties: { t: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }], additionalItems: false } } };
    const out = toJsonSchema2020(src) as Record<string, unknown>;
    expect(out).toEqual({
      type: 'object',
      $defs: { a: { type: ['string', 'null'] } },
      properties: { t: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false } },
    });
    (out['properties'] as { t: { type: string } }).t.type = 'changed';
    expect(src.properties.t.type).toBe('array');
  });

  it('refuses ajv-only keywords and references it cannot carry over', () => {
    expect(() => toJsonSchema2020({ type: 'object', properties: { a: { instanceof: 'Date' } } })).toThrow(/properties\/a\/instanceof/);
    expect(() => toJsonSchema2020({ $ref: 'takedown/rule' })).toThrow(/\$ref/);
  });
});
