import path from 'node:path';
import express, { type Express } from 'express';
import { errorMiddleware, notFoundHandler, securityHeaders } from '@takedown/shared';
import type { ApiDeps } from './deps';
import { queueBoard } from './admin/queue-board';
import { adminRoutes } from './routes/admin';
import { appealRoutes } from './routes/appeals';
import { caseRoutes } from './routes/cases';
import { categoryMoveRoutes } from './routes/category-move';
import { consoleApiRoutes } from './routes/console-api';
import { healthRoutes } from './routes/health';
import { legalRoutes } from './routes/legal';
import { dsaTransparencyRoutes } from './routes/transparency-dsa';
import { reportRoutes } from './routes/reports';
import { mediaPdqRoutes } from './routes/media-pdq';
import { reviewRoutes } from './routes/review';
import { statementRoutes } from './routes/statements';
import { ruleRoutes } from './routes/rules';
import { featureRoutes } from './routes/features';
import { uploadRoutes } from './routes/uploads';
import { openApiRoutes } from './routes/openapi';
import { statsSeriesRoutes } from './routes/stats-series';
import { consoleVendorRoutes } from './routes/console-vendor';

/** The moderation API as an express app (no listening: main.ts or a test does that). */
export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // Security headers on every answer; the console's CSP is set below, exactly as before.
  app.use(securityHeaders());
  // No body parser here: each route's guard reads the body once the caller is known, with that route's limit (http/read-json.ts).
  app.use(reportRoutes(deps));
  app.use(mediaPdqRoutes(deps));
  app.use(caseRoutes(deps));
  app.use(categoryMoveRoutes(deps));
  app.use(reviewRoutes(deps));
  app.use(appealRoutes(deps));
  app.use(adminRoutes(deps));
  app.use(ruleRoutes(deps));
  app.use(featureRoutes(deps));
  app.use(uploadRoutes(deps));
  app.use(consoleApiRoutes(deps));
  app.use(statsSeriesRoutes(deps));
  app.use(statementRoutes(deps));
  app.use(legalRoutes(deps));
  app.use(dsaTransparencyRoutes(deps));
  app.use(queueBoard(deps));
  app.use(healthRoutes(deps));
  app.use(openApiRoutes(deps));
  // The console: static files only (no data; every call they make needs a token).
  app.use((req, res, next) => {
    // bull-board brings its own page and inline assets; everything else is ours.
    if (!req.path.startsWith('/v1/') && !req.path.startsWith('/admin/')) {
      res.set('Content-Security-Policy', "default-src 'self'; img-src 'self' blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'");
      res.set('X-Content-Type-Options', 'nosniff');
    }
    next();
  });
  app.use(consoleVendorRoutes());
  // src/ and dist/ are both one level below the package.
  app.use(express.static(path.join(__dirname, '..', 'console'), { index: 'index.html', fallthrough: true }));
  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.logger));
  return app;
}
