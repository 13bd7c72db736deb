pragma circom 2.1.0;

// zk-downscale: a W x H grayscale tile (8-bit pixels, row-major) halved by a 2x2 box filter,
// out = floor((p00 + p01 + p10 + p11) / 4).
// Public signals, in snarkjs order: [inputCommitment, outputCommitment, taskId, worker].
//   inputCommitment  = PoseidonChain(input pixels packed 31 bytes per field element, little-endian)
//   outputCommitment = PoseidonChain(output pixels packed the same way)
//   taskId           = uint256(taskId) mod r, worker = uint160(worker address): bound, not computed.
// Every input pixel is range-checked to 8 bits; each 2x2 sum is decomposed into 10 bits, which
// range-checks the remainder (2 low bits, 0..3) and the output pixel (8 high bits, 0..255) at once.

include "circomlib/circuits/bitify.circom";
include "lib/commit.circom";

template Downscale(W, H) {
    signal input taskId;
    signal input worker;
    signal input pixels[W * H];
    signal output inputCommitment;
    signal output outputCommitment;

    component bindTask = Bind();
    bindTask.in <== taskId;
    component bindWorker = Bind();
    bindWorker.in <== worker;

    component inRange[W * H];
    for (var i = 0; i < W * H; i++) {
        inRange[i] = Num2Bits(8);
        inRange[i].in <== pixels[i];
    }

    var OW = W \ 2;
    var OH = H \ 2;
    signal out[OW * OH];
    component sums[OW * OH];
    for (var y = 0; y < OH; y++) {
        for (var x = 0; x < OW; x++) {
            var o = y * OW + x;
            sums[o] = Num2Bits(10);
            sums[o].in <== pixels[(2 * y) * W + 2 * x] + pixels[(2 * y) * W + 2 * x + 1]
                + pixels[(2 * y + 1) * W + 2 * x] + pixels[(2 * y + 1) * W + 2 * x + 1];
            var lc = 0;
            for (var b = 2; b < 10; b++) {
                lc += sums[o].out[b] * (1 << (b - 2));
            }
            out[o] <== lc;
        }
    }

    component packIn = PackWords(W * H, 8, 31);
    for (var i = 0; i < W * H; i++) {
        packIn.in[i] <== pixels[i];
    }
    component hashIn = PoseidonChain((W * H + 30) \ 31);
    for (var j = 0; j < (W * H + 30) \ 31; j++) {
        hashIn.in[j] <== packIn.out[j];
    }
    inputCommitment <== hashIn.out;

    component packOut = PackWords(OW * OH, 8, 31);
    for (var i = 0; i < OW * OH; i++) {
        packOut.in[i] <== out[i];
    }
    component hashOut = PoseidonChain((OW * OH + 30) \ 31);
    for (var j = 0; j < (OW * OH + 30) \ 31; j++) {
        hashOut.in[j] <== packOut.out[j];
    }
    outputCommitment <== hashOut.out;
}

component main {public [taskId, worker]} = Downscale(64, 64);
