pragma circom 2.1.0;

// Commitment helpers shared by the zk task circuits. Mirrored exactly in TypeScript by
// wasm-tasks/zk-common/commitment.ts (circomlibjs Poseidon); a unit test keeps the two equal.

include "circomlib/circuits/poseidon.circom";

// Little-endian packing of `n` words of `bits` bits each into field elements, `per` words per
// element: out[j] = sum_i in[j*per + i] * 2^(bits*i). Purely linear (no constraints): the caller must
// range-check every word, or the packing is not canonical and the commitment does not bind the words.
template PackWords(n, bits, per) {
    signal input in[n];
    var m = (n + per - 1) \ per;
    signal output out[m];
    for (var j = 0; j < m; j++) {
        var lc = 0;
        var w = 1;
        for (var i = 0; i < per; i++) {
            if (j * per + i < n) {
                lc += in[j * per + i] * w;
            }
            w = w * (1 << bits);
        }
        out[j] <== lc;
    }
}

// Chained Poseidon over n field elements (circomlib's Poseidon takes at most 16 inputs):
//   h = Poseidon(e[0..min(n,16)-1]); then, while elements remain, h = Poseidon(h, next <=15 elements).
template PoseidonChain(n) {
    signal input in[n];
    signal output out;
    var first = n < 16 ? n : 16;
    var steps = (n - first + 14) \ 15;
    component h0 = Poseidon(first);
    for (var i = 0; i < first; i++) {
        h0.inputs[i] <== in[i];
    }
    signal acc[steps + 1];
    acc[0] <== h0.out;
    component hs[steps];
    var pos = first;
    for (var s = 0; s < steps; s++) {
        var k = n - pos < 15 ? n - pos : 15;
        hs[s] = Poseidon(k + 1);
        hs[s].inputs[0] <== acc[s];
        for (var i = 0; i < k; i++) {
            hs[s].inputs[i + 1] <== in[pos + i];
        }
        acc[s + 1] <== hs[s].out;
        pos += k;
    }
    out <== acc[steps];
}

// Binds a public input that no other constraint uses (task id, worker address), so a proof cannot be
// replayed for another task or by another worker: the square makes the signal appear in a constraint.
template Bind() {
    signal input in;
    signal sq;
    sq <== in * in;
}
