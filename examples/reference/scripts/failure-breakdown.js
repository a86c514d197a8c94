// The module of 26-failure-breakdown.yaml: an exec function with a bug that shows about one
// iteration in four (reading a field of undefined), always with the same message, so the
// failures group together under `vu_exceptions`.
export function maybeThrow() {
  if (Math.random() < 0.25) {
    const order = undefined;
    return order.id;
  }
}
