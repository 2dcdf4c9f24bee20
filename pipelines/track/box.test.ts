import { describe, expect, it } from 'vitest';
import { boxHeight, centreInside, iou, parseRegion, translate } from './box.ts';
import { square } from '../runtime/testing/index.ts';

describe('box', () => {
  it.each([
    ['identical', square(0, 0, 10), square(0, 0, 10), 1],
    ['disjoint', square(0, 0, 10), square(20, 0, 10), 0],
    ['touching edges', square(0, 0, 10), square(10, 0, 10), 0],
    ['half shifted', square(0, 0, 10), square(5, 0, 10), 50 / 150],
    ['contained', square(0, 0, 10), square(0, 0, 5), 25 / 100],
  ])('iou %s', (_name, a, b, expected) => {
    expect(iou(a, b)).toBeCloseTo(expected, 10);
    expect(iou(b, a)).toBeCloseTo(expected, 10);
  });

  it('translates and measures height', () => {
    expect(translate(square(0, 0, 10), 3, -2)).toEqual({ x1: 3, y1: -2, x2: 13, y2: 8 });
    expect(boxHeight({ x1: 0, y1: 5, x2: 10, y2: 35 })).toBe(30);
  });

  it('parses WxH+X+Y regions and tests face centres', () => {
    expect(parseRegion('')).toBeNull();
    const r = parseRegion('100x50+10+20');
    expect(r).toEqual({ width: 100, height: 50, x: 10, y: 20 });
    expect(centreInside(square(10, 20, 10), r)).toBe(true); // centre (15, 25)
    expect(centreInside(square(105, 20, 10), r)).toBe(false); // centre x 110 = right edge, exclusive
    expect(centreInside(square(0, 0, 10), null)).toBe(true);
    expect(() => parseRegion('100x50')).toThrow(RangeError);
  });
});
