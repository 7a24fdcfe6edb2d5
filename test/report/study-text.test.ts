/** The words a study report uses for its runs' operands: a held-out digit is named with its label. */
import { describe, expect, it } from 'vitest';
import { heldOutDigits } from '../../src/quant/mnist.js';
import { heldOutText } from '../../src/report/study.js';

describe('heldOutText', () => {
  it("names a held-out digit with its label, and a batch's digits with theirs", () => {
    const one = heldOutDigits(7, 1);
    expect(heldOutText(7, one)).toBe(`quantized model, held-out digit 7 (label ${one[0]!.label})`);
    const four = heldOutDigits(10, 4);
    expect(heldOutText(10, four)).toBe(
      `quantized model, held-out digits 10 to 13 (batch 4; labels ${four.map((d) => d.label).join(', ')})`,
    );
  });
});
