// Interop driver for Node's `ws` client at its default settings (permessage-deflate offered, pings answered,
// closes answered). Reads one JSON command per line on stdin, prints one JSON event per line on stdout; the Java
// test (io.delegatebroker.broker.interop) decides what to do. `ws` has no keepalive of its own: when the test asks
// for one, pings are sent on an interval, the way the library's documentation shows.
'use strict';
const readline = require('readline');
const WebSocket = require('ws');

const conns = new Map();

function emit(conn, event, fields) {
  process.stdout.write(JSON.stringify(Object.assign({ conn, event }, fields || {})) + '\n');
}

function connect(cmd) {
  const conn = cmd.conn;
  const ws = new WebSocket(cmd.url, { headers: cmd.headers, perMessageDeflate: cmd.compress !== false });
  const state = { ws, pings: 0, pongs: 0, timer: null };
  conns.set(conn, state);
  ws.on('open', () => {
    emit(conn, 'open', { extensions: ws.extensions });
    if (cmd.pingInterval) {
      state.timer = setInterval(() => ws.ping(), cmd.pingInterval * 1000);
    }
  });
  ws.on('unexpected-response', (req, res) => {
    emit(conn, 'refused', { status: res.statusCode });
    req.destroy();
  });
  ws.on('message', (data, isBinary) => emit(conn, 'text', { data: isBinary ? data.toString('latin1') : data.toString() }));
  ws.on('ping', () => { state.pings++; });
  ws.on('pong', () => { state.pongs++; });
  ws.on('close', (code, reason) => {
    if (state.timer) clearInterval(state.timer);
    emit(conn, 'close', { code, reason: reason.toString() });
  });
  ws.on('error', (e) => emit(conn, 'error', { message: String(e) }));
}

function run(cmd) {
  const state = conns.get(cmd.conn);
  switch (cmd.op) {
    case 'connect': connect(cmd); break;
    case 'text': state.ws.send(cmd.data); break;
    case 'fragments':
      cmd.parts.forEach((part, i) => state.ws.send(part, { fin: i === cmd.parts.length - 1 }));
      break;
    case 'ping': state.ws.ping(); break;
    case 'pong': state.ws.pong(); break;
    case 'close': state.ws.close(cmd.code, cmd.reason); break;
    case 'stats': emit(cmd.conn, 'stats', { latency: null, pongsReceived: state.pongs, pingsReceived: state.pings }); break;
    case 'version': emit(null, 'version', { library: 'ws', version: require('ws/package.json').version }); break;
    case 'exit':
      for (const s of conns.values()) s.ws.terminate();
      process.exit(0);
      break;
    default: emit(cmd.conn, 'error', { message: 'unknown op ' + cmd.op });
  }
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  try {
    run(JSON.parse(line));
  } catch (e) {
    emit(null, 'error', { message: String(e) });
  }
}).on('close', () => process.exit(0));
