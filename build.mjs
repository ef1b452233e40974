// Bundles the CLI for start-up speed: one code-split, minified ESM bundle with production React.
// Commands and the wizard stay separate chunks, loaded only when used. `tsc` (npm run build)
// type-checks and emits dist/ for the sandbox's processes and the tests; this adds dist/bundle/.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

// Chunk names carry content hashes: without this, every build would leave the last one's chunks behind (and in the package).
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  // `fetch: undefined`: yoga-layout's WASM loader (Ink's layout engine) checks `typeof fetch`, and
  // touching Node's fetch loads undici (~25 ms of the first frame); the WASM is inline, and
  // nothing in the CLI uses fetch.
  define: { 'process.env.NODE_ENV': '"production"', fetch: 'undefined' },
  // Bundled CommonJS code may call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __twCreateRequire } from 'node:module'; const require = __twCreateRequire(import.meta.url);" },
  // Loaded natively from node_modules: the gRPC and OpenTelemetry packages (CommonJS, whose
  // interop breaks when bundled) and otlp-protos (only its .proto files, found at run time);
  // react-devtools-core is loaded by Ink only with DEV=true.
  external: ['@grpc/*', '@opentelemetry/*', 'protobufjs', 'otlp-protos', 'react-devtools-core'],
  logLevel: 'warning',
});
