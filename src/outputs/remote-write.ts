/**
 * Prometheus remote-write 1.0: a protobuf `WriteRequest` (prompb), snappy block-compressed, POSTed
 * with the three headers the protocol fixes. Encoded with protobufjs from the message definitions
 * below (the subset of prompb/types.proto + remote.proto remote-write 1.0 uses).
 */
import protobuf from "protobufjs";
import { compress } from "snappyjs";
import type { Snapshot } from "../metrics/index.ts";
import { promFamilies } from "./encode/prom-series.ts";
import { post } from "./pusher.ts";

const PROMPB = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
`;

let writeRequest: protobuf.Type | undefined;
function type(): protobuf.Type {
  return (writeRequest ??= protobuf.parse(PROMPB).root.lookupType("prometheus.WriteRequest"));
}

/** The WriteRequest for one snapshot: every sample at the snapshot's time, labels sorted by name. */
export function encodeWriteRequest(snap: Snapshot): Uint8Array {
  const timeseries = [];
  for (const f of promFamilies(snap)) {
    for (const s of f.samples) {
      const labels = [["__name__", s.name] as [string, string], ...s.labels]
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([name, value]) => ({ name, value }));
      timeseries.push({ labels, samples: [{ value: s.value, timestamp: snap.timestamp_ms }] });
    }
  }
  const t = type();
  return t.encode(t.fromObject({ timeseries })).finish();
}

export async function remoteWrite(url: string, snap: Snapshot): Promise<void> {
  await post(url, compress(encodeWriteRequest(snap)), {
    "Content-Encoding": "snappy",
    "Content-Type": "application/x-protobuf",
    "X-Prometheus-Remote-Write-Version": "0.1.0",
    "User-Agent": "loadr",
  });
}
