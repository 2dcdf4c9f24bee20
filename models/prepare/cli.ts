// `npm run models:prepare` (also run by `npm ci` as postinstall): makes the manifest's models runnable.
import { DEFAULT_MANIFEST_PATH, DEFAULT_PREPARED_DIR, loadManifest } from '../manifest.ts';
import { prepareModels } from './prepare-models.ts';

const manifestPath = process.env['FACESTREAM_MODEL_MANIFEST'] ?? DEFAULT_MANIFEST_PATH;
try {
  const reports = await prepareModels(loadManifest(manifestPath), DEFAULT_PREPARED_DIR);
  for (const r of reports) {
    const detail = r.status === 'prepared' ? ` (${r.subnormalsFlushed} subnormal and ${r.negligibleWeightsZeroed} negligible weights zeroed, ${r.reshapesRewritten} reshapes made batch-dynamic)` : '';
    console.log(`models: ${r.id} ${r.status}${detail}`);
  }
} catch (err) {
  console.error(`models: preparation failed: ${(err as Error).message}`);
  process.exit(1);
}
