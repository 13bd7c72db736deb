// snarkjs, circomlibjs and ffjavascript ship no type declarations; these cover what the zk task types use.
declare module "ffjavascript" {
  export type Point = Uint8Array;
  export type Group = {
    zero: Point;
    fromObject(o: unknown): Point;
    /** A point stored affine, little-endian, in Montgomery form (a zkey's encoding). */
    fromRprLEM(buff: Uint8Array, offset: number): Point;
    toAffine(p: Point): Point;
    toObject(p: Point): unknown;
    timesScalar(p: Point, scalarLE: Uint8Array): Point;
    timesFr(p: Point, s: Uint8Array): Point;
    add(a: Point, b: Point): Point;
    neg(p: Point): Point;
    isValid(p: Point): boolean;
    multiExpAffine(points: Uint8Array, scalars: Uint8Array): Promise<Point>;
  };
  /** bn128's scalar field; elements are 32-byte Montgomery-form buffers. */
  export type ScalarField = {
    s: number;
    shift: Uint8Array;
    w: Uint8Array[];
    e(value: number | bigint): Uint8Array;
    random(): Uint8Array;
    neg(a: Uint8Array): Uint8Array;
    mul(a: Uint8Array, b: Uint8Array): Uint8Array;
    fft(values: Uint8Array, inType: string, outType: string): Promise<Uint8Array>;
    ifft(values: Uint8Array, inType: string, outType: string): Promise<Uint8Array>;
    batchApplyKey(values: Uint8Array, first: Uint8Array, inc: Uint8Array): Promise<Uint8Array>;
  };
  /** ffjavascript's worker pool: a task is a list of ALLOC/ALLOCSET/CALL/GET commands run in one thread. */
  export type ThreadManager = { concurrency: number; queueAction(task: Record<string, unknown>[]): Promise<Uint8Array[]> };
  export type Curve = { G1: Group; G2: Group; Fr: ScalarField; tm: ThreadManager; pairingEq(...points: Point[]): Promise<boolean> };
  export function buildBn128(singleThread?: boolean): Promise<Curve>;
  export const Scalar: { fromRprLE(buff: Uint8Array, offset?: number, n8?: number): bigint };
  export const utils: { unstringifyBigInts<T>(o: T): unknown; stringifyBigInts<T>(o: T): unknown };
}

declare module "circomlibjs" {
  export type PoseidonField = { toObject(value: unknown): bigint; e(value: bigint | number | string): unknown };
  export type Poseidon = ((inputs: (bigint | number)[]) => unknown) & { F: PoseidonField };
  export function buildPoseidon(): Promise<Poseidon>;
}

declare module "snarkjs" {
  export type Groth16Proof = { pi_a: string[]; pi_b: string[][]; pi_c: string[]; protocol: string; curve: string };
  export type MemFile = { type: "mem"; data?: Uint8Array };
  export const wtns: {
    calculate(input: Record<string, unknown>, wasm: string | MemFile | Uint8Array, out: string | MemFile): Promise<void>;
  };
  export const groth16: {
    prove(zkey: string | MemFile | Uint8Array, witness: string | MemFile): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(vkey: unknown, publicSignals: (string | bigint)[], proof: Groth16Proof): Promise<boolean>;
    fullProve(input: Record<string, unknown>, wasm: string | MemFile, zkey: string | MemFile): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
  };
  export const zKey: {
    exportVerificationKey(zkey: string | MemFile): Promise<unknown>;
    exportSolidityVerifier(zkey: string | MemFile, templates: Record<string, string>): Promise<string>;
    newZKey(r1cs: string, ptau: string, zkey: string): Promise<unknown>;
    beacon(oldZkey: string, newZkey: string, name: string, beaconHash: string, iterationsExp: number): Promise<unknown>;
  };
  export const r1cs: { info(file: string): Promise<{ nConstraints: number; nOutputs: number; nPubInputs: number }> };
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, file: string): Promise<unknown>;
    beacon(oldFile: string, newFile: string, name: string, beaconHash: string, iterationsExp: number): Promise<unknown>;
    preparePhase2(oldFile: string, newFile: string): Promise<unknown>;
  };
  export const curves: { getCurveFromName(name: string): Promise<unknown> };
}

declare module "circom_runtime" {
  export type WitnessCalculator = { calculateWTNSBin(input: Record<string, unknown>, sanityCheck?: boolean): Promise<Uint8Array> };
  export function WitnessCalculatorBuilder(wasm: Uint8Array, options?: Record<string, unknown>): Promise<WitnessCalculator>;
}
