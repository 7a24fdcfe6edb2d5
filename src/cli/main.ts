#!/usr/bin/env node
/** The `mactile` executable (package.json's bin): runs the program on the command line and exits with its code. */
import { main } from './program.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
