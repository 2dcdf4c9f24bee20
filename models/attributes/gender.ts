// Gender from the SSR-Net gender model: merged score in 0..1, 'male' above the manifest threshold `male`
// (0.6 per shared/docs/MODELS.md). Confidence is the distance from the threshold, scaled so that the threshold
// gives 0.5 and the end of the range (1 for male, 0 for female) gives 1: the two sides of an off-centre
// threshold are stretched separately so both classes span 0.5..1.
import type { AttributeHeadFactory } from './head.ts';
import { openSsrNet } from './ssrnet.ts';

const DEFAULT_MALE = 0.6;

export function genderFromScore(score: number, threshold: number): { name: 'male' | 'female'; confidence: number } {
  if (score > threshold) return { name: 'male', confidence: 0.5 + 0.5 * Math.min(1, (score - threshold) / (1 - threshold)) };
  return { name: 'female', confidence: 0.5 + 0.5 * Math.min(1, (threshold - score) / threshold) };
}

export const genderHead: AttributeHeadFactory = {
  key: 'gender',
  role: 'gender',
  async create(entry, modelFile, session) {
    const net = await openSsrNet(entry, modelFile, session);
    const threshold = entry.thresholds?.['male'] ?? DEFAULT_MALE;
    return {
      key: 'gender',
      async run(faces) {
        const scores = await net.values(faces);
        return scores.map((s) => ({ gender: genderFromScore(s, threshold) }));
      },
      close: () => net.close(),
    };
  },
};
