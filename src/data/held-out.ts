/** The held-out images `sim --quantized --image N` and `report --image N` run through the RTL. */
import type { Shape } from '../nets/ir.js';
import { MactileError } from '../util/errors.js';
import { fitImages, fitProblem, labelledImages, type LabelledImage } from './fit.js';
import { loadData } from './spec.js';
import { normalisationOf, testPart, type DataOptions, type Selection } from './split.js';

/** The `count` test images from the `first` (what --image N names with a batch), fitted to the model's input. */
export function heldOutImages(
  opts: DataOptions & { testImages?: Selection },
  input: Shape,
  model: string,
  first: number,
  count: number,
): LabelledImage[] {
  const read = { channels: input.c, layout: opts.layout };
  const main = loadData(opts.data, read);
  const problem = fitProblem(main, input, model);
  if (problem) throw new MactileError(problem);
  const { test } = testPart(main, opts.testImages, (spec, key) => loadData(spec, read, key));
  const last = test.indices.length - 1;
  const what = test.raw.source === 'mnist' ? 'digit' : 'image';
  if (!Number.isInteger(first) || first < 0 || first > last)
    throw new MactileError(`--image: expected a held-out ${what} from 0 to ${last}, received ${first}`);
  if (first + count - 1 > last)
    throw new MactileError(
      `--image ${first} with batch ${count}: the batch takes ${what}s ${first} to ${first + count - 1}, expected a first ${what} from 0 to ${last - count + 1}`,
    );
  const indices = test.indices.slice(first, first + count);
  return labelledImages(fitImages(test.raw, indices, input, normalisationOf(opts), model));
}
