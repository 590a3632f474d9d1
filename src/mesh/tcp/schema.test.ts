import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { locatePath } from '../../spec/locate.js';
import { strictObject } from '../../spec/types.js';
import { tcpListenerSchema } from './schema.js';

// The mesh section will hold `tcp: [...]`; this stands in for it so errors can be located.
const meshLike = strictObject({ mesh: strictObject({ tcp: z.array(tcpListenerSchema) }) });

function parseYaml(text: string) {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const result = meshLike.safeParse(doc.toJS());
  const issues = result.success
    ? []
    : result.error.issues.map((i) => {
        const key = i.code === 'unrecognized_keys' ? i.keys[0] : undefined;
        return { path: i.path.join('.'), message: i.message, ...locatePath(doc, lines, i.path, key) };
      });
  return { data: result.success ? result.data : undefined, issues };
}

describe('tcpListenerSchema', () => {
  it('fills Toxiproxy defaults and parses units', () => {
    const { data, issues } = parseYaml(`
mesh:
  tcp:
    - name: postgres
      listen: 127.0.0.1:15432
      upstream: 127.0.0.1:5432
      toxics:
        - type: latency
          attributes: { latencyMs: 100ms, jitterMs: 10 }
        - name: slow-up
          type: bandwidth
          stream: upstream
          toxicity: 25%
          ttl: 30s
          attributes: { rateKBps: 64 }
        - type: slicer
          attributes: { averageSizeBytes: 1KiB, sizeVariationBytes: 256, delayUs: 500us }
`);
    expect(issues).toEqual([]);
    const l = data!.mesh.tcp[0]!;
    expect(l).toMatchObject({
      name: 'postgres',
      listen: { host: '127.0.0.1', port: 15432 },
      upstream: { host: '127.0.0.1', port: 5432 },
      enabled: true,
      onUpstreamChange: 'close',
      connectTimeout: 10_000,
      bufferSize: 1024 * 1024,
      allowRemote: false,
    });
    expect(l.toxics).toEqual([
      {
        name: 'latency_downstream',
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latencyMs: 100, jitterMs: 10 },
      },
      {
        name: 'slow-up',
        type: 'bandwidth',
        stream: 'upstream',
        toxicity: 0.25,
        ttlMs: 30_000,
        attributes: { rateKBps: 64 },
      },
      {
        name: 'slicer_downstream',
        type: 'slicer',
        stream: 'downstream',
        toxicity: 1,
        attributes: { averageSizeBytes: 1024, sizeVariationBytes: 256, delayUs: 500 },
      },
    ]);
  });

  it('defaults listen to a free loopback port', () => {
    const { data } = parseYaml('mesh: { tcp: [{ name: r, upstream: "localhost:6379" }] }');
    expect(data!.mesh.tcp[0]!.listen).toEqual({ host: '127.0.0.1', port: 0 });
  });

  it('locates bad attributes, unknown keys, bad types and duplicate names to line and column', () => {
    const { issues } = parseYaml(`mesh:
  tcp:
    - name: pg
      upstream: 127.0.0.1:5432
      toxics:
        - type: latency
          attributes:
            latency: 100
        - type: lag
        - type: bandwidth
          stream: sideways
          attributes: { rateKBps: -1 }
`);
    const by = (path: string) => issues.filter((i) => i.path === path);
    expect(by('mesh.tcp.0.toxics.0.attributes')).toContainEqual(
      expect.objectContaining({
        message: expect.stringMatching(/unknown key "latency"; expected one of: jitterMs, latencyMs/),
        line: 8,
        col: 13,
      }),
    );
    expect(by('mesh.tcp.0.toxics.0.attributes.latencyMs')[0]).toMatchObject({
      message: expect.stringMatching(/expected a duration/),
      line: 8,
    });
    expect(by('mesh.tcp.0.toxics.1.type')[0]).toMatchObject({
      message: expect.stringMatching(
        /unknown toxic type "lag"; expected one of: bandwidth, latency, limit_data/,
      ),
      line: 9,
      col: 17,
    });
    expect(by('mesh.tcp.0.toxics.2.stream')[0]).toMatchObject({
      message: expect.stringMatching(/upstream/),
      line: 11,
    });
  });

  it('refuses two toxics with the same name on a listener', () => {
    const { issues } = parseYaml(`mesh:
  tcp:
    - name: pg
      upstream: 127.0.0.1:5432
      toxics:
        - type: timeout
        - type: timeout
`);
    expect(issues).toEqual([
      expect.objectContaining({
        path: 'mesh.tcp.0.toxics.1.name',
        message: expect.stringMatching(/duplicate toxic name "timeout_downstream"/),
        line: 7,
      }),
    ]);
  });

  it('rejects bad addresses and small buffers with the expected shape', () => {
    const { issues } = parseYaml(`mesh:
  tcp:
    - name: pg
      upstream: nowhere
      listen: 127.0.0.1:99999
      bufferSize: 1KiB
      surprise: 1
`);
    const messages = issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^mesh\.tcp\.0\.upstream: invalid upstream address "nowhere": expected host:port/,
      ),
    );
    expect(messages).toContainEqual(expect.stringMatching(/^mesh\.tcp\.0\.listen: .*expected host:port/));
    expect(messages).toContainEqual('mesh.tcp.0.bufferSize: expected at least 64KiB');
    expect(messages).toContainEqual(
      expect.stringMatching(/unknown key "surprise"; expected one of: allowRemote, bufferSize/),
    );
  });
});
