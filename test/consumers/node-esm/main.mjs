import * as wasmconv from "wasmconv";
import { check } from "../shared/check.js";
import { report } from "../shared/report.js";

await report(() => check(wasmconv));
