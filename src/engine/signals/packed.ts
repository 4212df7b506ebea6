/**
 * The low field of the packed numbers signals keep (high · scale + low: a non-negative integer
 * below 2^53, `scale` a power of two). V8 compiles `x % scale` on such a double to a C call
 * (about 10 ns, in loops over every entry of a window or table); dividing by a power of two is
 * exact, so floor and multiply give the same number about 20× faster.
 */
export function lowOf(x: number, scale: number): number {
  return x - Math.floor(x / scale) * scale;
}
