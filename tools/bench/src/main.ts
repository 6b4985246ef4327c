/**
 * `npm run bench -- NAME [args]`: runs one benchmark. Each benchmark prints readable
 * figures as it goes and returns them; the last line printed here is one JSON object
 * with those figures (snake_case keys, units in the key).
 */
import { benchmarks } from './registry.js';

const [name, ...args] = process.argv.slice(2);
const load = name === undefined ? undefined : benchmarks[name];
if (load === undefined) {
  process.stderr.write(
    `usage: npm run bench -- NAME [args]\nbenchmarks: ${Object.keys(benchmarks).sort().join(', ')}\n`,
  );
  process.exit(2);
}
const bench = await load();
const figures = await bench.run(args);
process.stdout.write(`${JSON.stringify({ benchmark: name, ...figures })}\n`);
process.exit(0);
