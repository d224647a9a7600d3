/**
 * The parts of OpenAPI 3.1 this service emits, as a JSON Schema (2020-12):
 * enough to catch a malformed document in a unit test without a network
 * fetch of the official schema. Stricter than the specification where we
 * can be (no unknown keys on operations, responses or parameters).
 */
const ref = { type: 'object', additionalProperties: false, required: ['$ref'], properties: { $ref: { type: 'string', pattern: '^#/components/' } } } as const;

const mediaTypes = {
  type: 'object',
  minProperties: 1,
  propertyNames: { pattern: '^[a-z]+/[a-z0-9.+-]+$' },
  additionalProperties: { type: 'object', additionalProperties: false, properties: { schema: { type: ['object', 'boolean'] }, example: true } },
} as const;

const response = {
  oneOf: [ref, { type: 'object', additionalProperties: false, required: ['description'], properties: { description: { type: 'string', minLength: 1 }, content: mediaTypes } }],
} as const;

const parameter = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'in', 'schema'],
  properties: { name: { type: 'string', minLength: 1 }, in: { enum: ['path', 'query', 'header', 'cookie'] }, required: { type: 'boolean' }, schema: { type: ['object', 'boolean'] } },
  // Path parameters must be required (OpenAPI 3.1 §4.8.12.1).
  if: { properties: { in: { const: 'path' } } },
  then: { required: ['required'], properties: { required: { const: true } } },
} as const;

const operation = {
  type: 'object',
  additionalProperties: false,
  required: ['operationId', 'summary', 'responses', 'security', 'x-takedown-roles'],
  properties: {
    operationId: { type: 'string', pattern: '^[A-Za-z0-9_]+$' },
    summary: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    parameters: { type: 'array', items: parameter },
    requestBody: { type: 'object', additionalProperties: false, required: ['content'], properties: { required: { type: 'boolean' }, content: mediaTypes } },
    responses: { type: 'object', minProperties: 1, propertyNames: { pattern: '^[1-5][0-9]{2}$' }, additionalProperties: response },
    security: { type: 'array', items: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } } },
    'x-takedown-roles': { oneOf: [{ const: 'public' }, { type: 'array', minItems: 1, items: { type: 'string' } }] },
  },
} as const;

export const openApiShape = {
  type: 'object',
  additionalProperties: false,
  required: ['openapi', 'info', 'paths', 'components'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.[0-9]+$' },
    info: { type: 'object', required: ['title', 'version'], properties: { title: { type: 'string' }, version: { type: 'string' }, description: { type: 'string' } } },
    paths: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: {
        type: 'object',
        minProperties: 1,
        propertyNames: { enum: ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] },
        additionalProperties: operation,
      },
    },
    components: {
      type: 'object',
      additionalProperties: false,
      properties: {
        securitySchemes: { type: 'object', additionalProperties: { type: 'object', required: ['type'], properties: { type: { enum: ['http', 'apiKey', 'oauth2', 'openIdConnect', 'mutualTLS'] } } } },
        schemas: { type: 'object', additionalProperties: { type: ['object', 'boolean'] } },
        responses: { type: 'object', additionalProperties: response },
      },
    },
  },
} as const;
