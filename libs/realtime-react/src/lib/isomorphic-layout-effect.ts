import { useEffect, useLayoutEffect } from 'react';

/** useLayoutEffect in the browser (runs before paint and before passive effects); useEffect without a DOM (SSR). */
export const useIsomorphicLayoutEffect =
  typeof window === 'undefined' ? useEffect : useLayoutEffect;
