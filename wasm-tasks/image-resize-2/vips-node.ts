/** Node: the package's own Node build reads vips.wasm from its directory and runs pthreads on worker_threads. */
import Vips from "wasm-vips";
import { MODULE_OPTIONS } from "./vips.ts";

export const createVips = () => Vips(MODULE_OPTIONS as never);
