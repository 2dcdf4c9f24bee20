// Softmax over a slice of logits, max-subtracted so large logits do not overflow exp().
export function softmax(logits: ArrayLike<number>, start = 0, length = logits.length - start): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, logits[start + i]!);
  const out = new Float64Array(length);
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const e = Math.exp(logits[start + i]! - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < length; i++) out[i] = out[i]! / sum;
  return out;
}
