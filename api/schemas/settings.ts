// Runtime settings (FindFace's /settings/): what an administrator changes while the server runs. Only the settings
// that take effect are here; each defaults to the configuration's value until set, and null sets it back.
import { Type, type Static } from '@sinclair/typebox';
import { EnrolConfig } from '../../pipelines/match/config.ts';

const MinimumQuality = EnrolConfig.properties.minimum_dossier_quality;

export const Settings = Type.Object({
  minimum_dossier_quality: Type.Number({
    description: `${MinimumQuality.description} (POST /dossier-faces and /detect: 422 low_quality); until set, match.enrol.minimum_dossier_quality of the configuration`,
  }),
});

export const SettingsPatch = Type.Object(
  {
    // one schema of type [number, null], not a union of two: the API's validator coerces types, and in a union the
    // number branch reads null as 0 (or the null branch 0 as null)
    minimum_dossier_quality: Type.Optional(
      Type.Unsafe<number | null>({ type: ['number', 'null'], minimum: MinimumQuality.minimum, maximum: MinimumQuality.maximum, description: 'null: back to the configured default' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type SettingsPatch = Static<typeof SettingsPatch>;
