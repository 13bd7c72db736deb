pragma circom 2.1.0;

// zk-matmul: C = A x B over the integers for unsigned 8-bit matrices A (M x K) and B (K x N), row-major;
// C entries are exact (K * 255 * 255 < 2^32) and encoded as uint32 little-endian. This is one layer of a
// quantized (uint8) dense network or any integer product a requester wants done and proven.
// Public signals, in snarkjs order: [inputCommitment, outputCommitment, taskId, worker].
//   inputCommitment  = PoseidonChain(bytes of A then B, packed 31 bytes per field element, little-endian)
//   outputCommitment = PoseidonChain(C as uint32 LE bytes, packed 28 bytes = 7 entries per field element)
// Every input entry is range-checked to 8 bits. C needs no range check: it is a fixed polynomial of the
// range-checked inputs, bounded below 2^32, so its packing is canonical.

include "circomlib/circuits/bitify.circom";
include "lib/commit.circom";

template MatMul(M, K, N) {
    signal input taskId;
    signal input worker;
    signal input a[M * K];
    signal input b[K * N];
    signal output inputCommitment;
    signal output outputCommitment;

    component bindTask = Bind();
    bindTask.in <== taskId;
    component bindWorker = Bind();
    bindWorker.in <== worker;

    component aRange[M * K];
    for (var i = 0; i < M * K; i++) {
        aRange[i] = Num2Bits(8);
        aRange[i].in <== a[i];
    }
    component bRange[K * N];
    for (var i = 0; i < K * N; i++) {
        bRange[i] = Num2Bits(8);
        bRange[i].in <== b[i];
    }

    signal prod[M * N * K];
    signal c[M * N];
    for (var i = 0; i < M; i++) {
        for (var j = 0; j < N; j++) {
            var lc = 0;
            for (var k = 0; k < K; k++) {
                prod[(i * N + j) * K + k] <== a[i * K + k] * b[k * N + j];
                lc += prod[(i * N + j) * K + k];
            }
            c[i * N + j] <== lc;
        }
    }

    var nIn = M * K + K * N;
    component packIn = PackWords(nIn, 8, 31);
    for (var i = 0; i < M * K; i++) {
        packIn.in[i] <== a[i];
    }
    for (var i = 0; i < K * N; i++) {
        packIn.in[M * K + i] <== b[i];
    }
    component hashIn = PoseidonChain((nIn + 30) \ 31);
    for (var j = 0; j < (nIn + 30) \ 31; j++) {
        hashIn.in[j] <== packIn.out[j];
    }
    inputCommitment <== hashIn.out;

    component packOut = PackWords(M * N, 32, 7);
    for (var i = 0; i < M * N; i++) {
        packOut.in[i] <== c[i];
    }
    component hashOut = PoseidonChain((M * N + 6) \ 7);
    for (var j = 0; j < (M * N + 6) \ 7; j++) {
        hashOut.in[j] <== packOut.out[j];
    }
    outputCommitment <== hashOut.out;
}

component main {public [taskId, worker]} = MatMul(16, 16, 16);
