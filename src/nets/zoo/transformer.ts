/** The GEMMs of one transformer encoder layer: BERT-base and ViT-B/16 at a chosen sequence length. */
import { MactileError } from '../../util/errors.js';
import { NetBuilder } from '../builder.js';
import type { Network } from '../ir.js';

/** Dimensions of a transformer encoder layer. */
export interface EncoderDims {
  /** Tokens (sequence length). */
  seq: number;
  /** Model width (hidden size). */
  d: number;
  heads: number;
  /** Feed-forward width. */
  ff: number;
}

/**
 * The GEMMs of one transformer encoder layer as MAC layers. The tokens are an input of h = seq, w = 1,
 * c = d, so every projection is a 1x1 convolution with M = seq (Q, K, V, output projection, FFN up and down).
 * The per-head products are grouped 1x1 convolutions with one group per head, whose weights are the other
 * operand: QK^T reads Q (seq x d) with K^T as weights (per head M = seq, K = d/heads, N = seq) and gives the
 * scores (seq x heads*seq); attention x V reads the softmaxed scores with V as weights (per head M = seq,
 * K = seq, N = d/heads). Softmax and the two residual adds are host ops; LayerNorm and GELU have no MACs
 * and are not in the IR. The K and V projections' outputs are therefore read by no layer.
 */
function encoderLayer(name: string, dims: EncoderDims): Network {
  const { seq, d, heads, ff } = dims;
  if (d % heads !== 0)
    throw new MactileError(`network ${name}: expected a width divisible by the ${heads} heads, received ${d}`);
  const b = new NetBuilder(name, { h: seq, w: 1, c: d });
  const x = b.current;
  const q = b.conv('attn.q', { out: d, k: 1 }, x);
  b.conv('attn.k', { out: d, k: 1 }, x);
  b.conv('attn.v', { out: d, k: 1 }, x);
  b.conv('attn.qk', { out: heads * seq, k: 1, groups: heads }, q);
  b.host('attn.softmax', 'softmax');
  b.conv('attn.av', { out: d, k: 1, groups: heads });
  const o = b.conv('attn.out', { out: d, k: 1 });
  const h = b.addTensors('attn.add', o, x);
  b.conv('ffn.up', { out: ff, k: 1 }, h);
  const f = b.conv('ffn.down', { out: d, k: 1 });
  b.addTensors('ffn.add', f, h);
  return b.build();
}

/** One encoder layer of BERT-base (Devlin et al. 2019: hidden 768, 12 heads, feed-forward 3072), seq tokens. */
export function bertBase(opts: { seq?: number } = {}): Network {
  const seq = opts.seq ?? 128;
  return encoderLayer(seq === 128 ? 'bert_base' : `bert_base:seq=${seq}`, { seq, d: 768, heads: 12, ff: 3072 });
}

/**
 * One encoder layer of ViT-B/16 (Dosovitskiy et al. 2021: hidden 768, 12 heads, MLP 3072); 224x224 in 16x16
 * patches is 196 patches plus the class token: 197 tokens.
 */
export function vitB16(opts: { seq?: number } = {}): Network {
  const seq = opts.seq ?? 197;
  return encoderLayer(seq === 197 ? 'vit_b16' : `vit_b16:seq=${seq}`, { seq, d: 768, heads: 12, ff: 3072 });
}
