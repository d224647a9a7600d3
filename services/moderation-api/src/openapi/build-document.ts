import { ACCESS, type Endpoint } from '../access';
import { toJsonSchema2020 } from './json-schema-2020';
import { OPERATIONS, type OperationSpec, type RequestBodySpec } from './operations';

/** Error statuses every answer may carry, and what they mean here. */
const ERROR_RESPONSES = {
  400: 'The request body or query is invalid; `error.field` names the field (a JSON pointer)',
  401: 'No valid bearer token',
  403: "The token's role may not call this endpoint",
  404: 'Not found (or not visible to this token)',
  409: 'The state does not allow this (lease lost, already decided, a conflicting change)',
  413: 'The body is too large',
  415: 'The body is not JSON (`Content-Type: application/json`)',
  429: 'Too many requests (or too many failed sign-ins from this address); see Retry-After',
  503: 'A dependency (Redis, Elasticsearch) is unavailable; retry later',
} as const;
type ErrorStatus = keyof typeof ERROR_RESPONSES;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: Record<string, unknown>;
}

/** `/v1/cases/:caseId` → `/v1/cases/{caseId}`, and the names of its parameters. */
export function openApiPath(template: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = template.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

function requestBody(body: RequestBodySpec): Record<string, unknown> {
  const schema = toJsonSchema2020(body.schema) as Record<string, unknown>;
  for (const field of body.serverFilled ?? []) {
    delete (schema['properties'] as Record<string, unknown>)[field];
    if (Array.isArray(schema['required'])) schema['required'] = (schema['required'] as string[]).filter((r) => r !== field);
  }
  const required = Array.isArray(schema['required']) && schema['required'].length > 0;
  return { required, content: { 'application/json': { schema, example: body.example } } };
}

function queryParameters(query: NonNullable<OperationSpec['query']>): Record<string, unknown>[] {
  const schema = toJsonSchema2020(query.schema) as { properties?: Record<string, unknown>; required?: string[] };
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: required.has(name), schema: s }));
}

function operation(endpoint: Endpoint, spec: OperationSpec): Record<string, unknown> {
  const roles = ACCESS[endpoint];
  const isPublic = roles === 'public';
  const { params } = openApiPath(endpoint.split(' ')[1] ?? '');
  const pathSchemas = spec.pathParams ? ((toJsonSchema2020(spec.pathParams.schema) as { properties?: Record<string, unknown> }).properties ?? {}) : {};
  const parameters = [
    ...params.map((name) => ({ name, in: 'path', required: true, schema: Object.hasOwn(pathSchemas, name) ? pathSchemas[name] : { type: 'string' } })),
    ...(spec.query ? queryParameters(spec.query) : []),
  ];
  const responses: Record<string, unknown> = {};
  const success = (s: { status: number; description: string; contentType?: string }) =>
    s.status === 204 ? { description: s.description } : { description: s.description, content: { [s.contentType ?? 'application/json']: {} } };
  responses[String(spec.success.status)] = success(spec.success);
  if (spec.alsoSuccess) responses[String(spec.alsoSuccess.status)] = success(spec.alsoSuccess);
  const errors = new Set<ErrorStatus>(spec.errors ?? []);
  if (spec.body || spec.query || params.length > 0) errors.add(400);
  // Every body is read with a size limit and as JSON only (http/read-json.ts).
  if (spec.body) {
    errors.add(413);
    errors.add(415);
  }
  // The guard: a token (failed sign-ins are limited per client address), a role, and the token store behind it.
  if (!isPublic) {
    errors.add(401);
    errors.add(403);
    errors.add(429);
    errors.add(503);
  }
  for (const status of [...errors].sort()) responses[String(status)] = { $ref: `#/components/responses/E${status}` };
  return {
    operationId: endpoint.replace(/[^A-Za-z0-9]+/g, '_').replace(/_$/, ''),
    summary: spec.summary,
    // Swagger UI does not show extensions: the roles go in the description too.
    description: isPublic ? 'No token needed.' : `Roles: ${roles.join(', ')}.`,
    tags: [tagOf(endpoint)],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body ? { requestBody: requestBody(spec.body) } : {}),
    responses,
    // Public endpoints need no token (an empty requirement overrides the document's default).
    security: isPublic ? [] : [{ bearer: [] }],
    'x-takedown-roles': isPublic ? 'public' : [...roles],
  };
}

/** The first path segment after /v1 groups the docs page: cases, review, rules, legal... */
function tagOf(endpoint: Endpoint): string {
  const segments = (endpoint.split(' ')[1] ?? '').split('/').filter(Boolean);
  const first = segments[0] === 'v1' ? segments[1] : segments[0];
  return first ?? 'service';
}

/** The whole document, from ACCESS (who) and OPERATIONS (what): built once at boot. */
export function buildOpenApiDocument(version: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const endpoint of Object.keys(ACCESS) as Endpoint[]) {
    const [method, template] = endpoint.split(' ') as [string, string];
    const { path } = openApiPath(template);
    const item = (paths[path] ??= {});
    item[method.toLowerCase()] = operation(endpoint, OPERATIONS[endpoint]);
  }
  const errorSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', description: 'Stable machine-readable code' },
          message: { type: 'string', description: 'For people; never quotes the input' },
          field: { type: 'string', description: 'JSON pointer of the offending field (400)' },
        },
      },
    },
  };
  const responses = Object.fromEntries(
    (Object.keys(ERROR_RESPONSES) as unknown as ErrorStatus[]).map((status) => [
      `E${status}`,
      { description: ERROR_RESPONSES[status], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Takedown moderation API',
      version,
      description: 'Reports, leased review, decisions, rules, feature switches and the legal desk. Every endpoint names the roles it admits (`x-takedown-roles`); call it with `Authorization: Bearer <token>` of a token in one of them.',
    },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A Takedown token (`takedown tokens issue`)' } },
      schemas: { Error: errorSchema },
      responses,
    },
  };
}
