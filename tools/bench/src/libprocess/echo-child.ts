/**
 * The far side of the libprocess benchmark, in its own OS process: a runtime with an `echo`
 * process that answers `ping` with `pong`, counts `count` messages, and answers `report`
 * with how many it counted. Prints its pid as one JSON line once ready.
 */
import { Process, Runtime, silentLogger, WebSocketTransport } from '@ts-mesos/libprocess';

class Echo extends Process {
  private counted = 0;

  constructor() {
    super('echo');
    this.install('ping', (from, body: unknown) => {
      this.send(from, 'pong', body);
    });
    this.install('count', () => {
      this.counted += 1;
    });
    this.install('report', (from) => {
      this.send(from, 'counted', this.counted);
      this.counted = 0;
    });
  }
}

const runtime = new Runtime({ transport: new WebSocketTransport({ host: '127.0.0.1' }), logger: silentLogger() });
await runtime.start();
const pid = runtime.spawn(new Echo());
process.stdout.write(`${JSON.stringify({ pid: pid.toString() })}\n`);
process.on('SIGTERM', () => process.exit(0));
