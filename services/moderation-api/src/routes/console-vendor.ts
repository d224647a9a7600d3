import path from 'node:path';
import { Router } from 'express';

/** The folder of a package's main file: dist/ for both (neither exports its package.json). */
const distDir = (name: string) => path.dirname(require.resolve(name));

/**
 * The console's chart library, from node_modules (never a CDN): Chart.js's
 * UMD build and the date-fns adapter bundle (date-fns inside) for the time
 * axis. Only these files: no directory listing, nothing else from the packages.
 */
export const CONSOLE_VENDOR: Record<string, string> = {
  'chart.umd.min.js': path.join(distDir('chart.js'), 'chart.umd.min.js'),
  'chartjs-adapter-date-fns.bundle.min.js': path.join(distDir('chartjs-adapter-date-fns'), 'chartjs-adapter-date-fns.bundle.min.js'),
};

/** GET /vendor/:file: static like the console's own files (no data, no token), under the console's CSP. */
export function consoleVendorRoutes(): Router {
  const r = Router();
  r.get('/vendor/:file', (req, res, next) => {
    const file = String(req.params['file']);
    if (!Object.hasOwn(CONSOLE_VENDOR, file)) return next();
    res.sendFile(CONSOLE_VENDOR[file] as string, { maxAge: '1h' });
  });
  return r;
}
