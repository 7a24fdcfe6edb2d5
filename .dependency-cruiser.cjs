/**
 * Import rules of mactile, checked by dependency-cruiser (`make lint`, or `npx depcruise src bench`).
 *
 * The three levels (golden model, analytic model, RTL) must stay independent, so that a bug cannot hide on two
 * of them at once (docs: DESIGN "Rules that keep the three levels honest"). In a kind folder src/accel/<kind>/:
 *   generator  generate.ts, mem-generate.ts, mem-ports.ts, mem-activity.ts, design.ts, rtl-package.ts   planner  plan.ts
 *   runner  run.ts, mem-run.ts     wiring  index.ts
 *   job encoding  job.ts, mem-job.ts (the kind's job files in the job-format table and their encoders, over src/sim/job/)
 *   analytic model: every other file of the folder (config, model, timing, dataflows/, columns, ...).
 * A new generator, planner, runner or job-encoding file must be added to the patterns below, or it counts as
 * analytic model.
 */

/** The generator, planner and runner of every kind, plus the files that import them (wiring and registry). */
const GENERATOR = '^src/accel/[^/]+/(generate|mem-generate|mem-ports|mem-activity|design|rtl-package)\\.ts$';
const PLANNER = '^src/accel/[^/]+/plan\\.ts$';
const RUNNER = '^src/accel/[^/]+/(run|mem-run)\\.ts$';
/**
 * A kind's job encoding is simulation plumbing, not analytic model: it builds on the shared job-format table
 * and codec (src/sim/job/), so it stands with the planner and runner, whose job types it declares. The same
 * rules keep it away from the model and the golden model as them.
 */
const JOB = '^src/accel/[^/]+/(job|mem-job)\\.ts$';
const WIRING = ['^src/accel/[^/]+/index\\.ts$', '^src/accel/registry\\.ts$'];
const RTL = '^src/rtl/';
const SIM = '^src/sim/';

/** The analytic model files of a kind: the kind folder minus generator, planner, runner, job encoding and wiring. */
const KIND_MODEL = {
  path: '^src/accel/[^/]+/',
  pathNot: [
    '^src/accel/[^/]+/(generate|mem-generate|mem-ports|mem-activity|design|rtl-package|plan|run|mem-run|job|mem-job|index)\\.ts$',
  ],
};
const GOLDEN = ['^src/quant/golden\\.ts$', '^src/accel/nvdla/cacc\\.ts$'];

module.exports = {
  forbidden: [
    {
      name: 'model-not-to-generator',
      comment:
        "A kind's analytic model imports nothing from a generator, planner, runner, job encoding, the kinds' " +
        'wiring, src/rtl or src/sim: it predicts the numbers the RTL is then checked against.',
      severity: 'error',
      from: KIND_MODEL,
      to: { path: [GENERATOR, PLANNER, RUNNER, JOB, ...WIRING, RTL], pathNot: ['^src/accel/accelerator\\.ts$'] },
    },
    {
      name: 'model-not-to-sim',
      comment: "A kind's analytic model imports nothing from src/sim at run time.",
      severity: 'error',
      from: KIND_MODEL,
      to: { path: SIM, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'model-types-only-from-job',
      comment:
        "Known exception: a systolic dataflow strategy describes its port layout in the job codec's IntMatrix type, " +
        'so type-only imports of src/sim/job.ts are allowed; no other src/sim module, not even for types.',
      severity: 'error',
      from: KIND_MODEL,
      to: { path: SIM, pathNot: '^src/sim/job\\.ts$', dependencyTypes: ['type-only'] },
    },
    {
      name: 'analytic-not-to-generator',
      comment:
        "src/analytic (the SCALE-Sim-compatible model) imports nothing from src/rtl, src/sim, nor any kind's " +
        'generator, planner, runner, job encoding or wiring.',
      severity: 'error',
      from: { path: '^src/analytic/' },
      to: { path: [GENERATOR, PLANNER, RUNNER, JOB, ...WIRING, RTL, SIM] },
    },
    {
      name: 'golden-independent',
      comment:
        'The golden model (src/quant/golden.ts and NVDLA CACC arithmetic, src/accel/nvdla/cacc.ts) is a direct loop ' +
        'convolution: it imports nothing from any planner, runner, job encoding, generator, the wiring, src/sim or ' +
        'src/rtl, so a tiling, im2col or padding bug cannot hide on both sides.',
      severity: 'error',
      from: { path: GOLDEN },
      to: { path: [GENERATOR, PLANNER, RUNNER, JOB, ...WIRING, RTL, SIM] },
    },
    {
      name: 'golden-independent-transitively',
      comment:
        'Nor does anything the golden model imports, directly or not, reach a planner, runner, job encoding, ' +
        'src/sim or src/rtl.',
      severity: 'error',
      from: { path: GOLDEN },
      to: { path: [GENERATOR, PLANNER, RUNNER, JOB, ...WIRING, RTL, SIM], reachable: true },
    },
    {
      name: 'no-circular',
      comment:
        'No import cycles at run time. A cycle with at least one type-only import (erased by tsc) is allowed, e.g. ' +
        "config/schema.ts type-imports the kinds' config types.",
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-orphans',
      comment: 'A source file nobody imports is dead code (entry points and declaration files excepted).',
      severity: 'error',
      from: {
        orphan: true,
        pathNot: ['\\.d\\.ts$', '^src/cli/main\\.ts$', '^src/sweep/worker\\.ts$', '^bench/run\\.ts$'],
      },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve to a file or an installed package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      comment: 'A package imported but not declared in package.json.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'src-not-to-dev-dep',
      comment: 'src/ runs for users after `npm ci --omit=dev`: no runtime import of a devDependency.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: ['node_modules/@types/'] },
    },
    {
      name: 'no-deprecated-core',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['core'], path: '^(punycode|domain|constants|sys|_linklist|_stream_wrap)$' },
    },
  ],
  allowed: [],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^generated/', '^node_modules/'] },
    // See type-only imports (import type ...) as dependencies, labelled 'type-only', rather than erase them.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
