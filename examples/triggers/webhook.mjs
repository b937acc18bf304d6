// A webhook to watch: prints each request it gets (method, path, the x-api-key header, body).
// PORT (default 9000; 0 picks a free one).
import http from 'node:http';

const port = Number(process.env.PORT ?? 9000);
const server = http
  .createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      console.log(JSON.stringify({ method: req.method, path: req.url, apiKey: req.headers['x-api-key'] ?? null, body }));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  })
  .listen(port, '127.0.0.1', () => console.error(`webhook listening on http://127.0.0.1:${server.address().port}`));
