// ESLint flat config: eslint's and typescript-eslint's recommended rules over every TypeScript file.
// Formatting is prettier's job (.prettierrc.json); import boundaries are dependency-cruiser's (.dependency-cruiser.cjs).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'generated/', 'reports/', 'models/', 'test/fixtures/', 'node_modules/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_name` marks a parameter or binding kept on purpose (an interface's signature, a skipped tuple slot).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // onnx-proto's decoded messages are read field by field (Long, optional and repeated fields alike) at this one
    // boundary; everything past it is typed.
    files: ['src/nets/onnx-read.ts', 'test/helpers/onnx-builder.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
