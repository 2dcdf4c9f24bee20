// What a face event in the report and a face printed by `identify` share: where the face is (absolute and
// relative box), how good it is, its attributes and who it may be. One rendering for both outputs.
import type { DetectedFace, FaceAttributes, MatchCandidate } from '../schemas/records.ts';
import type { IdentifiedFace } from './identify-schema.ts';

/** Rounded for JSON output: enough digits for sub-pixel boxes and similarities, no float noise. */
export const round = (v: number, digits = 4): number => Number(v.toFixed(digits));

export interface FaceVerdict {
  readonly matched: boolean;
  readonly dossier: string | null;
  readonly confidence: number;
  readonly candidates: readonly MatchCandidate[];
}

export function faceFields(face: DetectedFace, frame: { readonly width: number; readonly height: number }, attributes: FaceAttributes, verdict: FaceVerdict): IdentifiedFace {
  const { box } = face;
  const { width, height } = frame;
  return {
    bbox: { left: Math.round(box.x1), top: Math.round(box.y1), right: Math.round(box.x2), bottom: Math.round(box.y2) },
    bbox_rel: { x: round(box.x1 / width), y: round(box.y1 / height), w: round((box.x2 - box.x1) / width), h: round((box.y2 - box.y1) / height) },
    detection_score: round(face.score),
    quality: round(Math.min(0, face.quality), 3),
    // a plain JSON copy: attribute objects may carry class instances or undefined keys
    attributes: JSON.parse(JSON.stringify(attributes)) as IdentifiedFace['attributes'],
    matched: verdict.matched,
    dossier: verdict.dossier,
    confidence: round(verdict.confidence),
    candidates: verdict.candidates.map((c) => ({ dossier: c.dossier, photo: c.dossierFace, watch_list: c.watchList, confidence: round(c.confidence) })),
  };
}
