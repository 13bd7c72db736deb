/** Unsigned LEB128 varints (CAR section lengths), for tests that hand-craft CAR headers. */
export function decode(bytes: Uint8Array, offset = 0): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let i = offset;
  for (;;) {
    const byte = bytes[i++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, i];
    shift += 7;
  }
}
export function encodingLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}
export function encodeTo(value: number, out: Uint8Array, offset = 0): number {
  let i = offset;
  while (value >= 0x80) {
    out[i++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[i++] = value;
  return i - offset;
}
