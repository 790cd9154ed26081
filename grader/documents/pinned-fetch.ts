/**
 * A GET that connects only to an address checked beforehand. fetch resolves the name again when
 * it connects, so a name whose DNS answer changes between the check and the connection (DNS
 * rebinding) could still reach the grading machine's own network; here the connection takes the
 * checked address, while TLS still verifies the certificate against the name.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';

export interface Pin {
  address: string;
  family: 4 | 6;
}

/** fetch's shape for GET requests, bound to `pin` (undefined: an ordinary lookup, for trusted origins). */
export function pinnedFetch(pin: Pin | undefined): typeof fetch {
  return ((input: string | URL, init: RequestInit = {}) => get(new URL(String(input)), pin, init)) as typeof fetch;
}

function get(url: URL, pin: Pin | undefined, init: RequestInit): Promise<Response> {
  const lookup: LookupFunction | undefined = pin
    ? (_hostname, options, callback) => {
        if (options.all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: pin.address, family: pin.family }]);
        else callback(null, pin.address, pin.family);
      }
    : undefined;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<Response>((resolve, reject) => {
    const request = client.request(url, {
      method: 'GET',
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      ...(lookup ? { lookup } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    }, (res) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const status = res.statusCode ?? 502;
      const empty = status === 204 || status === 304 || status < 200;
      if (empty) res.resume();
      resolve(new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status: status < 200 ? 502 : status, headers }));
    });
    request.on('error', reject);
    request.end();
  });
}
