/** The registers the systolic array's activity variant counts toggles of (hw-templates/mt_array_*_act.sv). */
import type { ActivityRegisters } from '../accelerator.js';
import type { SystolicConfig } from './config.js';
import { dataflowOf } from './dataflows/index.js';
import { accumulatorBits } from '../../quant/requant.js';

/** The counted registers of a config: per PE a_q, the second operand's registers and the partial sum. */
export function systolicActivityRegisters(cfg: SystolicConfig): ActivityRegisters {
  const DW = cfg.precision === 'int8' ? 8 : 16;
  const pes = cfg.rows * cfg.cols;
  const stationary = dataflowOf(cfg.dataflow).stationary;
  return {
    a: 'u_array.a_q[i][j]: the streamed operand each PE passes right',
    b: stationary
      ? 'u_array.shadow[i][j] and u_array.active[i][j]: the stationary operand, preloaded and in use'
      : 'u_array.b_q[i][j]: the B operand each PE passes down',
    psum: stationary
      ? 'u_array.psum[i][j]: the partial sum each PE passes down'
      : 'u_array.acc[i][j]: the accumulator of each PE',
    operandBits: DW,
    psumBits: accumulatorBits(DW),
    count: { a: pes, b: stationary ? 2 * pes : pes, psum: pes },
  };
}
