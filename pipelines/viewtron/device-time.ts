// currentTime → ms since the epoch. Devices send s, ms or µs, told apart by magnitude (VIEWTRON.md §3.3); NVR
// firmware has sent 20-digit garbage. Digits are read as BigInt so a µs value keeps its precision.
const MICROS_FROM = 10n ** 15n;
const MILLIS_FROM = 10n ** 12n;
/** 2100-01-01: a later time is a firmware bug, not an event */
const LATEST_MS = 4_102_444_800_000n;

/** ms since the epoch, or undefined when missing or implausible (then the receive time stands in). */
export function deviceTimeMs(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\d{1,20}$/.test(raw)) return undefined;
  const v = BigInt(raw);
  const ms = v >= MICROS_FROM ? v / 1000n : v >= MILLIS_FROM ? v : v * 1000n;
  return ms > 0n && ms < LATEST_MS ? Number(ms) : undefined;
}
