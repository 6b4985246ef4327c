/**
 * The raw ceiling for the libprocess benchmark: a bare `ws` server that decodes the same
 * msgpack frames of flat `[from, to, name, body, ...]` packets and counts them, with no
 * runtime in between. A packet named `report` is answered with the count so far.
 * Prints its port as one JSON line once ready.
 */
import { Packr, Unpackr } from 'msgpackr';
import { WebSocketServer } from 'ws';

const packr = new Packr({ useRecords: false, structuredClone: false });
const unpackr = new Unpackr({ useRecords: false, structuredClone: false, mapsAsObjects: true });
const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
let counted = 0;
server.on('connection', (socket) => {
  socket.on('message', (data: Buffer) => {
    const flat = unpackr.unpack(data) as unknown[];
    for (let i = 0; i < flat.length; i += 4) {
      if (typeof flat[i] !== 'string' || typeof flat[i + 1] !== 'string') throw new Error('malformed packet');
      if (flat[i + 2] === 'report') {
        socket.send(packr.pack(['echo', 'bench', 'counted', counted]));
        counted = 0;
      } else {
        counted += 1;
      }
    }
  });
});
server.on('listening', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
