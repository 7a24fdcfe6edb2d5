/** The data-set options of `quantize`, `sim --quantized` and `report --model` (syntax in src/data/spec.ts). */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MactileError } from '../util/errors.js';
import { parseSelection, type Selection } from '../data/split.js';

/** Parses --mean or --std: numbers separated by commas (a standard deviation above 0). */
function numberList(key: 'mean' | 'std'): (value: string) => number[] {
  return (value: string) => {
    const items = value.split(',').map((s) => s.trim());
    const numbers = items.map(Number);
    const bad = items.findIndex(
      (s, i) => s === '' || !Number.isFinite(numbers[i]) || (key === 'std' && numbers[i]! <= 0),
    );
    if (bad >= 0)
      throw new InvalidArgumentError(
        `expected ${key === 'std' ? 'numbers above 0' : 'numbers'} separated by commas (one, or one per channel), received ${JSON.stringify(items[bad])}`,
      );
    return numbers;
  };
}

/** Parses --calibration-images or --test-images: N, A:B or a data set. */
export function selection(key: string): (value: string) => Selection {
  return (value: string) => {
    try {
      return parseSelection(value, key);
    } catch (e) {
      if (e instanceof MactileError) throw new InvalidArgumentError(e.message.replace(`${key}: `, ''));
      throw e;
    }
  };
}

type DataKey = 'data' | 'mean' | 'std' | 'layout';

/** One of the options --data, --mean, --std and --layout (for `.addOption`). */
export function dataOption(key: DataKey): Option {
  if (key === 'data')
    return new Option(
      '--data <set>',
      'data set: mnist | idx:IMAGES,LABELS | npy:IMAGES.npy,LABELS.npy | npz:FILE.npz[,IMAGES,LABELS] | images:FOLDER[,LABELS.csv] (the last fifth is held out unless --test-images says otherwise)',
    ).default('mnist');
  if (key === 'mean')
    return new Option(
      '--mean <list>',
      'per-channel mean subtracted from pixels scaled to 0..1 (uint8 / 255; default: MNIST 0.1307, else 0)',
    ).argParser(numberList('mean'));
  if (key === 'std')
    return new Option(
      '--std <list>',
      'per-channel standard deviation divided by (default: MNIST 0.3081, else 1)',
    ).argParser(numberList('std'));
  return new Option('--layout <layout>', 'order of 4-D image arrays (default: told by the channel count)').choices([
    'nhwc',
    'nchw',
  ]);
}

/** Adds --data, --mean, --std and --layout to a command. */
export function withDataOptions(cmd: Command): Command {
  for (const key of ['data', 'mean', 'std', 'layout'] as const) cmd.addOption(dataOption(key));
  return cmd;
}
