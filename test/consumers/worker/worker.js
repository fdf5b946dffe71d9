// A module worker: import maps do not reach workers, so it imports the installed package by its path.
import * as wasmconv from "../node_modules/wasmconv/build/index.js";
import { check } from "../shared/check.js";
import { report } from "../shared/report.js";

report(() => check(wasmconv));
