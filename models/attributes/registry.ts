// Attribute heads by their FaceAttributes key. An explicit list: adding a head is one import and one entry here.
import type { AttributeHeadFactory, AttributeKey } from './head.ts';
import { genderHead } from './gender.ts';
import { ageHead } from './age.ts';
import { emotionHead } from './emotion.ts';
import { eyesHead } from './eyes.ts';
import { headposeHead } from './headpose.ts';
import { livenessHead } from './liveness.ts';

export const ATTRIBUTE_HEADS: readonly AttributeHeadFactory[] = [genderHead, ageHead, emotionHead, eyesHead, headposeHead, livenessHead];

export function attributeHead(key: AttributeKey): AttributeHeadFactory {
  const h = ATTRIBUTE_HEADS.find((f) => f.key === key);
  if (!h) throw new Error(`no attribute head for "${key}"`);
  return h;
}
