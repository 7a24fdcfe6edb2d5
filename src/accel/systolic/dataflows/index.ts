/** The registered dataflows, chosen once by name. */
import type { Dataflow } from '../../../config/schema.js';
import type { DataflowStrategy } from './dataflow.js';
import { inputStationary } from './is.js';
import { outputStationary } from './os.js';
import { weightStationary } from './ws.js';

const DATAFLOW_STRATEGIES: Record<Dataflow, DataflowStrategy> = {
  os: outputStationary,
  ws: weightStationary,
  is: inputStationary,
};

/** The strategy of a dataflow. */
export function dataflowOf(name: Dataflow): DataflowStrategy {
  return DATAFLOW_STRATEGIES[name];
}

export type { DataflowStrategy } from './dataflow.js';
