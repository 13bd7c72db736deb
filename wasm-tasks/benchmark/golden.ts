/** Golden vector of `benchmark`, shared by the Node and Chromium tests. */
export const goldenBenchmark = {
  spec: { rounds: 2 },
  json: '{"type":"benchmark","limit":15485863,"rounds":2,"count":1000000,"sum":7472966967499,"fnv1a":3728690908}',
  cid: "bafkreicjcfodvlv4eoezwa53oz2ooo7r7myb5jdmglwp7ckteigahxolpq",
};
