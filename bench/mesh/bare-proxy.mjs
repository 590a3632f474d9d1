// A reference, not a product: the least a reverse proxy on node:http + undici can do
// (no routing, no header rewriting, no timeouts, retries, stats or windows), to show how
// much of the mesh's cost is its own and how much is Node's. Prints {"port":N}.
import http from 'node:http';
import { Pool } from 'undici';

const pool = new Pool(process.argv[2], { connections: 1024, pipelining: 1 });
const server = http.createServer({ noDelay: true }, (req, res) => {
  pool.dispatch(
    { path: req.url, method: req.method, headers: req.rawHeaders, body: null },
    {
      onConnect() {},
      onHeaders(status, raw) {
        const h = [];
        for (let i = 0; i < raw.length; i += 2)
          h.push(raw[i].toString('latin1'), raw[i + 1].toString('latin1'));
        res.writeHead(status, h);
        return true;
      },
      onData: (chunk) => res.write(chunk),
      onComplete: () => res.end(),
      onError: () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      },
    },
  );
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));
