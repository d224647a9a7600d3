import path from 'node:path';
import { Router } from 'express';
import type { ApiDeps } from '../deps';
import { guard } from '../http/auth';
import { buildOpenApiDocument } from '../openapi/build-document';

/** Swagger UI's files, from node_modules: the page loads nothing from another origin. */
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
/** Our page and its start script (src/ and dist/ are both one level below the package). */
const PAGE_DIR = path.join(__dirname, '..', '..', 'api-docs');
/** The only files served under /docs/assets: no directory listing, not Swagger UI's own demo page. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': path.join(SWAGGER_UI_DIR, 'swagger-ui.css'),
  'swagger-ui-bundle.js': path.join(SWAGGER_UI_DIR, 'swagger-ui-bundle.js'),
  'favicon-32x32.png': path.join(SWAGGER_UI_DIR, 'favicon-32x32.png'),
  'init.js': path.join(PAGE_DIR, 'init.js'),
};

/**
 * Same-origin only, like the console's: Swagger UI sets inline styles and
 * draws its icons as data: images; it fetches /openapi.json and nothing else.
 */
export const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Package version of the API, for info.version. */
const VERSION = (require('../../package.json') as { version: string }).version;

export function openApiRoutes(deps: ApiDeps): Router {
  const r = Router();
  // Built once: the schemas do not change while the process runs.
  const body = JSON.stringify(buildOpenApiDocument(VERSION));

  r.get('/openapi.json', guard(deps, 'GET /openapi.json'), (_req, res) => {
    res.type('application/json').send(body);
  });

  r.get('/docs', guard(deps, 'GET /docs'), (_req, res) => {
    res.set('Content-Security-Policy', DOCS_CSP);
    res.sendFile(path.join(PAGE_DIR, 'index.html'));
  });

  r.get('/docs/assets/:file', (req, res, next) => {
    const file = String(req.params['file']);
    if (!Object.hasOwn(ASSETS, file)) return next();
    res.set('Content-Security-Policy', DOCS_CSP);
    res.sendFile(ASSETS[file] as string, { maxAge: '1h' });
  });

  return r;
}
