// Age in years from the SSR-Net age model (merged value × 101). Off by default: on our photos its predictions
// collapse into 30–45 years (docs/MODELS.md, bench/accuracy.ts).
import type { AttributeHeadFactory } from './head.ts';
import { openSsrNet } from './ssrnet.ts';

const AGE_RANGE = 101;

export const ageHead: AttributeHeadFactory = {
  key: 'age',
  role: 'age',
  async create(entry, modelFile, session) {
    const net = await openSsrNet(entry, modelFile, session);
    return {
      key: 'age',
      async run(faces) {
        const values = await net.values(faces);
        return values.map((v) => ({ age: Math.round(v * AGE_RANGE * 10) / 10 }));
      },
      close: () => net.close(),
    };
  },
};
