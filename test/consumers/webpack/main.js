import * as wasmconv from "wasmconv";
import { check } from "../shared/check.js";
import { report } from "../shared/report.js";

report(() => check(wasmconv));
