import type { BuildOptions } from 'esbuild';

/** esbuild options of a k6 scenario bundle (see k6-bundle-options.mjs). */
export declare const k6BundleOptions: Readonly<
  Pick<BuildOptions, 'bundle' | 'format' | 'platform' | 'target' | 'external' | 'sourcemap'>
>;
