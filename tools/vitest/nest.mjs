import swc from 'unplugin-swc';

/**
 * SWC transform for NestJS code under Vitest: keeps legacy decorators and emits
 * `design:paramtypes`, which constructor injection relies on. `swcrc: false` so a
 * project .swcrc that excludes specs cannot get in the way.
 */
export function nestSwcPlugin() {
  return swc.vite({
    swcrc: false,
    module: { type: 'es6' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
  });
}
