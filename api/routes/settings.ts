// /api/v1/settings: FindFace's runtime settings, stored in PostgreSQL (stores/postgres/repositories/settings.ts) and
// read by the routes they steer on every request, so a change applies at once.
import type { FastifyInstance } from 'fastify';
import { getSettings, updateSettings } from '../../stores/postgres/repositories/settings.ts';
import type { RuntimeSettings } from '../../stores/postgres/rows.ts';
import { errors } from '../schemas/common.ts';
import { Settings, SettingsPatch } from '../schemas/settings.ts';

const tags = ['settings'];

export async function settingRoutes(app: FastifyInstance): Promise<void> {
  /** the stored values over the configured defaults */
  const effective = (stored: RuntimeSettings) => ({ minimum_dossier_quality: stored.minimum_dossier_quality ?? app.enrolDefaults.minimum_dossier_quality });

  app.get('', { schema: { tags, summary: 'The runtime settings in effect', response: { 200: Settings, ...errors() } } }, async () => effective(await getSettings(app.db)));

  app.patch<{ Body: SettingsPatch }>(
    '',
    { schema: { tags, summary: 'Change runtime settings (null: back to the default)', body: SettingsPatch, response: { 200: Settings, ...errors() } } },
    async (req) => effective(await updateSettings(app.db, req.body)),
  );
}
