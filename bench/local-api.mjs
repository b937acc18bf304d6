// What the benchmarks that drive `stepwise serve` over raw keep-alive HTTP share: a free port,
// and one Step Functions API call (AWS JSON 1.0) that resolves to the parsed answer.
import http from 'node:http';
import net from 'node:net';

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** `call(action, body)` against 127.0.0.1:port, through one keep-alive agent (destroy it when done). */
export function apiClient(port, maxSockets = 64) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const call = (action, body) =>
    new Promise((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `AWSStepFunctions.${action}`, 'Content-Length': Buffer.byteLength(data) } },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${action}: ${res.statusCode} ${text}`))));
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  return { call, close: () => agent.destroy() };
}
