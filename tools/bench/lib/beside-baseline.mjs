// The baseline figure a Herald measurement is compared with: the same measurement on a
// fresh baseline server right before and right after Herald's, a minute apart at most. The
// baseline of the same repeat ran minutes earlier, and on a shared machine its connect rate,
// broadcast time and CPU per publish drift by more than these floors' margins in that time.

/**
 * The geometric mean of `get` over the baseline measurements taken beside one Herald repeat
 * (`repeat.baselineBeside`: the connect storm with its broadcasts before and after Herald's,
 * then the typed step before and after Herald's; `get` reads the ones it applies to), or
 * undefined when there are none. The geometric mean keeps a ratio to it the same whichever
 * way up it is read.
 */
export function besideBaseline(repeat, get) {
  const values = (repeat?.baselineBeside ?? [])
    .map(get)
    .filter((v) => typeof v === 'number' && Number.isFinite(v) && v > 0);
  if (!values.length) return undefined;
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}
