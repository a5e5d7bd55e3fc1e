// esbuild options of a k6 scenario bundle, shared by build.mjs and the orchestrator's
// one-script build (run/bundle.ts): one ES module per scenario, `k6` and `k6/*`
// (k6/x/... extensions included) left external, so the same file runs under the k6
// binary and under the kit's Node engine.
export const k6BundleOptions = Object.freeze({
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: ['k6', 'k6/*'],
  sourcemap: true,
});
