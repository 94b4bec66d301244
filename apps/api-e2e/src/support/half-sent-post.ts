import { request as httpRequest } from 'node:http';
import { TEST_API_KEY } from '../../../../tools/testing/index.mjs';

/**
 * Starts a service POST whose body arrives in two halves, so the request is provably in
 * flight (headers read, body not yet complete) until `finish()` sends the rest: how the
 * shutdown tests put a request between the halves of a SIGTERM.
 */
export function halfSentPost(url: string, path: string, body: string) {
  const bytes = Buffer.from(body);
  let finish!: () => void;
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      new URL(path, url),
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': bytes.length,
          'x-api-key': TEST_API_KEY,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.write(bytes.subarray(0, bytes.length >> 1));
    finish = () => req.end(bytes.subarray(bytes.length >> 1));
  });
  return { response, finish };
}
