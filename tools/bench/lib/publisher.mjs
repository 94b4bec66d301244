// Open-loop HTTP publisher: sends publishes on a fixed schedule whatever the server's pace,
// and stamps each with its SCHEDULED time, so a server that falls behind shows it in the
// latency (no coordinated omission) instead of silently slowing the load down.
import http from 'node:http';

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

export class Publisher {
  constructor(apiKey, maxSockets = 64) {
    this.apiKey = apiKey;
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  /** POSTs JSON; resolves { status, body } (body parsed when JSON). Never rejects. */
  post(url, body, timeoutMs = 30_000) {
    const text = JSON.stringify(body);
    return new Promise((resolve) => {
      const req = http.request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(text),
            'x-api-key': this.apiKey,
          },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            let parsed;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => resolve({ status: 0, body: String(error.message) }));
      req.end(text);
    });
  }

  /**
   * Publishes `rate`/s for `durationMs`. `build(seq, t0us)` returns { url, body } for publish
   * number `seq`. Gives up (held=false) when more than `maxBacklog` publishes are in flight
   * (default: half a second's worth, i.e. the server is already >= 500 ms behind).
   */
  async run({ rate, durationMs, firstSeq, build, maxBacklog = Math.max(64, Math.ceil(rate / 2)) }) {
    const total = Math.max(1, Math.round((rate * durationMs) / 1000));
    const intervalUs = 1e6 / rate;
    const start = nowUs() + 2_000;
    const statuses = {};
    const sent = [];
    /** Publishes the server took (2xx), in the order they were sent. */
    const accepted = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let aborted = null;
    const requests = [];
    for (let i = 0; i < total && !aborted;) {
      const now = nowUs();
      while (i < total && start + i * intervalUs <= now) {
        if (inFlight >= maxBacklog) {
          aborted = `publisher backlog over ${maxBacklog} (server too slow to answer)`;
          break;
        }
        const seq = firstSeq + i;
        const t0 = Math.round(start + i * intervalUs);
        const { url, body } = build(seq, t0);
        sent.push(seq);
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        requests.push(
          this.post(url, body).then(({ status }) => {
            inFlight -= 1;
            statuses[status] = (statuses[status] ?? 0) + 1;
            if (status >= 200 && status < 300) accepted.push(seq);
          }),
        );
        i += 1;
      }
      if (i < total && !aborted) {
        const waitUs = start + i * intervalUs - nowUs();
        await new Promise((r) => setTimeout(r, Math.max(0, Math.floor(waitUs / 1000))));
      }
    }
    const lastScheduled = nowUs();
    await Promise.all(requests);
    accepted.sort((a, b) => a - b);
    return {
      sent,
      accepted,
      statuses,
      maxInFlight,
      aborted,
      publishSpanMs: (lastScheduled - start) / 1000,
      drainMs: (nowUs() - lastScheduled) / 1000,
    };
  }

  close() {
    this.agent.destroy();
  }
}
